namespace Certify.Functional.Samples.Networks;

/// <summary>The paper's FC-SMALL (fc3) for MNIST/Fashion-MNIST: 784-100-100-10 with ReLUs, 89,610 parameters (training.md §5).</summary>
[Network("FC-SMALL")]
[Input(1, 28, 28)]
[Normalize(0.1307, 0.3081)]
[Flatten]
[Dense(100)] [ReLU]
[Dense(100)] [ReLU]
[Dense(10)]
public sealed partial class FcSmall;
