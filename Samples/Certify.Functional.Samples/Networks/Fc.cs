namespace Certify.Functional.Samples.Networks;

/// <summary>The paper's FC (fc5) for MNIST/Fashion-MNIST: 784-400-200-100-100-10 with ReLUs, 425,410 parameters
/// (training.md §5). Layer indices match the reference state dicts (<c>layers.2.weight</c> is the first Dense).</summary>
[Network("FC")]
[Input(1, 28, 28)]
[Normalize(0.1307, 0.3081)]
[Flatten]
[Dense(400)] [ReLU]
[Dense(200)] [ReLU]
[Dense(100)] [ReLU]
[Dense(100)] [ReLU]
[Dense(10)]
public sealed partial class Fc;
