using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Layers;

// The layer values handed to relaxations: parameters as tensors plus the hyper-parameters a relaxation needs.
// They borrow the module's tensors (no ownership): never dispose them.

/// <summary>Marker of a layer value passed to relaxations.</summary>
public interface ILayer;

/// <summary>Fully connected layer. <c>Weight</c> [out, in], <c>Bias</c> [out].</summary>
public sealed record Dense(Tensor Weight, Tensor Bias) : ILayer;

/// <summary>2-D convolution. <c>Weight</c> [out, in, k, k], <c>Bias</c> [out].</summary>
public sealed record Conv2d(Tensor Weight, Tensor Bias, long Stride, long Padding) : ILayer;

/// <summary>Per-channel normalization (x − Mean)/Sigma with <c>Mean</c>, <c>Sigma</c> of shape [C] (or [1]).</summary>
public sealed record Normalize(Tensor Mean, Tensor Sigma) : ILayer;

/// <summary>Flatten [B, C, H, W] → [B, C·H·W].</summary>
public sealed record Flatten : ILayer
{
    /// <summary>The only instance.</summary>
    public static Flatten Instance { get; } = new();
}

/// <summary>ReLU.</summary>
public sealed record Relu : ILayer
{
    /// <summary>The only instance.</summary>
    public static Relu Instance { get; } = new();
}
