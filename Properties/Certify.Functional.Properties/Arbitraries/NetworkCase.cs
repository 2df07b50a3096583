using Certify.Functional.Runtime;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Interpreter;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Arbitraries;

/// <summary>A network architecture as data (input shape and layer declarations); printed compactly so that a
/// failing FsCheck case can be read and pinned.</summary>
public sealed record Architecture(Shape Input, IReadOnlyList<LayerDeclaration> Layers)
{
    /// <summary>The checked description (the generator only produces valid architectures).</summary>
    public NetworkDescription Describe() => NetworkDescription.Declared("law", Input, [.. Layers]);

    /// <summary>Number of logits.</summary>
    public int Classes => (int)Describe().Output.Size;

    /// <inheritdoc/>
    public bool Equals(Architecture? other) => other is not null && Input.Equals(other.Input) && Layers.SequenceEqual(other.Layers);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Input, Layers.Count);

    /// <summary>"1×6×6: Conv(2,k3,s1,p0) → ReLU → Flatten → Dense(4)".</summary>
    public override string ToString() => $"{Input}: " + string.Join(" → ", Layers.Select(l => l switch
    {
        NormalizeDeclaration n => $"Normalize([{string.Join(",", n.Mean)}],[{string.Join(",", n.Std)}])",
        DenseDeclaration d => $"Dense({d.OutFeatures})",
        Conv2dDeclaration c => $"Conv({c.OutChannels},k{c.Kernel},s{c.Stride},p{c.Padding})",
        _ => l.Kind.ToString(),
    }));
}

/// <summary>
/// One property case: a small network (PyTorch default initialization from <see cref="Seed"/>, every parameter
/// scaled by <see cref="Scale"/>), a batch of <see cref="Batch"/> inputs in [0, 1] and labels, and ε. Only plain
/// values live here; tensors are built inside the property, under the caller's dispose scope, from generators
/// seeded by the FsCheck-drawn seed (the only source of randomness).
/// </summary>
public sealed record NetworkCase(Architecture Arch, int Seed, double Scale, double Eps, int Batch, IReadOnlyList<int> LabelValues)
{
    /// <summary>Builds the network: <c>torch.manual_seed(Seed)</c>, default init, parameters × <see cref="Scale"/>.
    /// The caller disposes it.</summary>
    public InterpretedNetwork CreateNetwork()
    {
        GcGuard.AtSafePoint();                                                 // a case starts: no torch call in flight
        manual_seed(Seed);
        var net = new InterpretedNetwork(Arch.Describe());
        using (no_grad())
            foreach (var p in net.parameters()) p.mul_(Scale);
        return net;
    }

    /// <summary>Inputs [B, …input] (float32) in [0, 1]; about 8% of the pixels are exactly 0 or 1 so that the clamped
    /// ball's edges are exercised.</summary>
    public Tensor Inputs()
    {
        using var g = new Generator((ulong)Seed + 7919);
        return rand(Arch.Input.Batched(Batch), generator: g).mul(1.2).sub(0.1).clamp(0, 1);
    }

    /// <summary>Labels [B] (int64).</summary>
    public Tensor Labels() => tensor(LabelValues.Take(Batch).Select(v => (long)v).ToArray());

    /// <summary>The same case with another ε.</summary>
    public NetworkCase WithEps(double eps) => this with { Eps = eps };

    /// <inheritdoc/>
    public bool Equals(NetworkCase? other) => other is not null && Arch.Equals(other.Arch) && Seed == other.Seed && Scale == other.Scale
        && Eps == other.Eps && Batch == other.Batch && LabelValues.SequenceEqual(other.LabelValues);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Arch, Seed, Scale, Eps, Batch);

    /// <inheritdoc/>
    public override string ToString() =>
        $"[{Arch}] seed={Seed} scale={Scale} eps={Eps:R} batch={Batch} labels=[{string.Join(",", LabelValues.Take(Batch))}]";
}

/// <summary>A case for the loose-Box inclusions: ω ∈ {0.01, 0.1, 0.5, 1.5}, W ∈ {1, 10, 100}, and a second ε ≥ the
/// case's (for monotonicity in ε).</summary>
public sealed record InclusionCase(NetworkCase Case, double Omega, double PerUnit, double LargerEps)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Case} omega={Omega:R} per-unit={PerUnit:R} eps2={LargerEps:R}";
}
