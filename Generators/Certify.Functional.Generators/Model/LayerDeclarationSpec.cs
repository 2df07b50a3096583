namespace Certify.Functional.Generators.Model;

/// <summary>One declared layer: kind and hyper-parameters, without shapes (mirrors Core's <c>LayerDeclaration</c>).
/// <see cref="Out"/> is the Dense out-features or the Conv2d out-channels; unused fields are 0 or empty.</summary>
internal sealed record LayerDeclarationSpec(
    LayerKind Kind,
    EquatableArray<double> Mean,
    EquatableArray<double> Std,
    int Out,
    int Kernel,
    int Stride,
    int Padding)
{
    public static LayerDeclarationSpec Normalize(double[] mean, double[] std) =>
        new(LayerKind.Normalize, mean.ToEquatableArray(), std.ToEquatableArray(), 0, 0, 0, 0);
    public static LayerDeclarationSpec Flatten() => Simple(LayerKind.Flatten);
    public static LayerDeclarationSpec Relu() => Simple(LayerKind.ReLU);
    public static LayerDeclarationSpec Dense(int outFeatures) => new(LayerKind.Dense, default, default, outFeatures, 0, 0, 0);
    public static LayerDeclarationSpec Conv2d(int outChannels, int kernel, int stride = 1, int padding = 0) =>
        new(LayerKind.Conv2d, default, default, outChannels, kernel, stride, padding);

    static LayerDeclarationSpec Simple(LayerKind kind) => new(kind, default, default, 0, 0, 0, 0);
}
