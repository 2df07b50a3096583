namespace Certify.Functional.Samples.Networks;

/// <summary>The paper's CONVPLUS (the IBP paper's DM-small) for 1×28×28 inputs: Conv2d(16, k4, s2), ReLU,
/// Conv2d(32, k4, s1), ReLU, Flatten, Dense 100, ReLU, Dense 10; 329,606 parameters (training.md §5).</summary>
[Network("CONVPLUS")]
[Input(1, 28, 28)]
[Normalize(0.1307, 0.3081)]
[Conv2d(16, 4, 2, 0)] [ReLU]
[Conv2d(32, 4, 1, 0)] [ReLU]
[Flatten]
[Dense(100)] [ReLU]
[Dense(10)]
public sealed partial class ConvPlus;
