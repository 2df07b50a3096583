namespace Certify.Functional;

// The declaration language read by Certify.Functional.Generators. Layer attributes are read in source order;
// the layer index of each (and so the `layers.<i>.*` parameter names) is its position after [Input].

/// <summary>Marks a <c>partial class</c> as a declared network. The generator emits a TorchSharp module,
/// the concrete forward pass and the runtime description for it.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network named after the class.</summary>
    public NetworkAttribute() { }
    /// <summary>Declares a network with a display/registry name such as <c>"FC-SMALL"</c>.</summary>
    public NetworkAttribute(string name) => Name = name;
    /// <summary>The network's name, or null for the class name.</summary>
    public string? Name { get; }
}

/// <summary>Base of every layer attribute. A layer attribute the generator does not know is reported (CF0003).</summary>
public abstract class LayerAttribute : Attribute { }

/// <summary>The input shape of one example: channels × height × width, or a flat feature count.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>An image input of shape [channels, height, width].</summary>
    public InputAttribute(int channels, int height, int width) => Shape = new[] { channels, height, width };
    /// <summary>A flat input of <paramref name="features"/> values.</summary>
    public InputAttribute(int features) => Shape = new[] { features };
    /// <summary>The shape of one example.</summary>
    public int[] Shape { get; }
}

/// <summary>Per-channel normalization (x − mean)/σ, a fixed layer with buffers <c>mean</c> and <c>sigma</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class NormalizeAttribute : LayerAttribute
{
    /// <summary>One mean and standard deviation for a single-channel input.</summary>
    public NormalizeAttribute(double mean, double std) { Mean = new[] { mean }; Std = new[] { std }; }
    /// <summary>One mean and standard deviation per channel.</summary>
    public NormalizeAttribute(double[] mean, double[] std) { Mean = mean; Std = std; }
    /// <summary>Per-channel means.</summary>
    public double[] Mean { get; }
    /// <summary>Per-channel standard deviations (all &gt; 0).</summary>
    public double[] Std { get; }
}

/// <summary>Flattens [C, H, W] to [C·H·W].</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute { }

/// <summary>A fully connected layer y = W x + b on a flat input (parameters <c>weight</c> [out, in], <c>bias</c> [out]).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>A dense layer with <paramref name="outFeatures"/> outputs; the input size is inferred.</summary>
    public DenseAttribute(int outFeatures) => OutFeatures = outFeatures;
    /// <summary>Number of outputs.</summary>
    public int OutFeatures { get; }
}

/// <summary>The rectified linear unit max(x, 0).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute { }

/// <summary>A 2-D convolution on a [C, H, W] input with a square kernel (parameters <c>weight</c> [out, C, k, k], <c>bias</c> [out]).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2dAttribute : LayerAttribute
{
    /// <summary>A convolution; output size ⌊(H − k + 2p)/s⌋ + 1.</summary>
    public Conv2dAttribute(int outChannels, int kernel, int stride = 1, int padding = 0)
    { OutChannels = outChannels; Kernel = kernel; Stride = stride; Padding = padding; }
    /// <summary>Number of output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Kernel size (square).</summary>
    public int Kernel { get; }
    /// <summary>Stride.</summary>
    public int Stride { get; }
    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }
}
