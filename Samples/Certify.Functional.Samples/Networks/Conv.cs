namespace Certify.Functional.Samples.Networks;

/// <summary>The paper's CONV (conv0) for 1×28×28 inputs: Conv2d(16, k4, s2, p1), ReLU, Flatten, Dense 100, ReLU,
/// Dense 10; 314,982 parameters (training.md §5).</summary>
[Network("CONV")]
[Input(1, 28, 28)]
[Normalize(0.1307, 0.3081)]
[Conv2d(16, 4, 2, 1)] [ReLU]
[Flatten]
[Dense(100)] [ReLU]
[Dense(10)]
public sealed partial class Conv;
