namespace Certify.Functional.Samples.Networks;

/// <summary>The paper's CONV for 3×32×32 inputs (SVHN/CIFAR-10) with the CIFAR normalization constants;
/// 411,494 parameters (training.md §5).</summary>
[Network("CONV")]
[Input(3, 32, 32)]
[Normalize(new[] { 0.4914, 0.4822, 0.4465 }, new[] { 0.2023, 0.1994, 0.2010 })]
[Conv2d(16, 4, 2, 1)] [ReLU]
[Flatten]
[Dense(100)] [ReLU]
[Dense(10)]
public sealed partial class Conv32;
