namespace Certify.Functional.Samples.Networks;

/// <summary>The paper's CONVPLUS for 3×32×32 inputs (CIFAR-10) with the CIFAR normalization constants;
/// 470,918 parameters (training.md §5).</summary>
[Network("CONVPLUS")]
[Input(3, 32, 32)]
[Normalize(new[] { 0.4914, 0.4822, 0.4465 }, new[] { 0.2023, 0.1994, 0.2010 })]
[Conv2d(16, 4, 2, 0)] [ReLU]
[Conv2d(32, 4, 1, 0)] [ReLU]
[Flatten]
[Dense(100)] [ReLU]
[Dense(10)]
public sealed partial class ConvPlus32;
