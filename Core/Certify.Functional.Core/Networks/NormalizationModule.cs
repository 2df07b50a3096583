using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Networks;

/// <summary>Holds the buffers <c>mean</c> and <c>sigma</c> ([C]) of a Normalization layer, named as in the
/// reference's state dict (<c>layers.0.mean</c>, <c>layers.0.sigma</c>). The computation itself lives in the
/// relaxation modules; this module only owns the tensors.</summary>
public sealed class NormalizationModule : nn.Module
{
    /// <summary>Creates the buffers from the declared constants.</summary>
    public NormalizationModule(IReadOnlyList<double> mean, IReadOnlyList<double> std) : base("Normalization")
    {
        register_buffer("mean", tensor(mean.Select(m => (float)m).ToArray()));
        register_buffer("sigma", tensor(std.Select(s => (float)s).ToArray()));
    }

    /// <summary>Per-channel means, [C].</summary>
    public Tensor Mean => get_buffer("mean")!;
    /// <summary>Per-channel standard deviations, [C].</summary>
    public Tensor Sigma => get_buffer("sigma")!;

    /// <summary>Overwrites the constants in place (the reference loader does this with the dataset's constants).</summary>
    public void SetConstants(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        using var _ = no_grad();
        using var m = tensor(mean.Select(v => (float)v).ToArray());
        using var s = tensor(std.Select(v => (float)v).ToArray());
        if (m.shape[0] != Mean.shape[0] && m.shape[0] != 1)
            throw new ArgumentException($"Normalization has {Mean.shape[0]} channels, got {m.shape[0]} constants.");
        Mean.copy_(m.expand(Mean.shape));
        Sigma.copy_(s.expand(Sigma.shape));
    }
}
