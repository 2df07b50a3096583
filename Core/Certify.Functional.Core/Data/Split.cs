namespace Certify.Functional.Data;

/// <summary>Which part of a dataset to load.</summary>
public enum Split
{
    /// <summary>The training split (MNIST <c>train-*</c>, CIFAR-10 <c>data_batch_1..5.bin</c>).</summary>
    Train,
    /// <summary>The test split (MNIST <c>t10k-*</c>, CIFAR-10 <c>test_batch.bin</c>).</summary>
    Test,
}
