using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Concrete;
using Certify.Functional.Relaxations.Domains;
using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.DeepPoly;

/// <summary>
/// Outward rounding for the envelopes whose lines carry a computed bound as a constant (the "-C" variants of relaxations.md
/// §3.7.1: active lower line l; lower-tria-c upper line x − l; upper-tria-c upper line u).
/// <para>In exact arithmetic those lines are sound because l ≤ x ≤ u on the neuron's range. The bounds are float32
/// sums, though, and at ε = 0 (or any stable neuron that is tight) the computed l can exceed the least value of x by its
/// rounding error; every later bound inherits that error multiplied by the weights after it, i.e. relative to the
/// magnitudes of the terms, not to the value bounded (seen: a lower bound 2.2e-5 above z_y − z_j = 0.4355 on a
/// scale-4 conv net). The other envelopes use l and u only to pick a slope or the chord, whose lines stay inside ReLU's
/// convex hull, so their errors stay relative to the final sums.</para>
/// <para>The margin of a neuron at the input of ReLU k is γ_N·(k + 1)·M, where M is the neuron's absolute magnitude
/// (the network applied with |W|, |b|, (|x| + |μ|)/|σ| to max(|lo|, |hi|), ReLU the identity): every term of the
/// back-substituted bound is a product of weights, slopes in [0, 1] and either an input, a bias or an offset bounded
/// by an earlier magnitude, so the absolute terms sum to at most (k + 1)·M; N counts the accumulations along the
/// longest chain (each layer's fan-in + 2), and γ_N = N·u/(1 − N·u) with u the unit roundoff (2⁻²⁴ in float32) bounds the relative error of such a
/// sum (Higham, Accuracy and Stability of Numerical Algorithms, §3.1). The constants then use l − δ and u + δ.</para>
/// </summary>
public static class RoundingMargin
{
    /// <summary>The unit roundoff of <paramref name="type"/>: 2⁻²⁴ for float32 (the default), 2⁻⁵³ for float64.</summary>
    public static double Unit(ScalarType type) => type switch
    {
        ScalarType.Float64 => 1.1102230246251565e-16,
        ScalarType.Float16 => 4.8828125e-4,
        ScalarType.BFloat16 => 3.90625e-3,
        _ => 5.9604644775390625e-8,
    };

    /// <summary>Whether the variant's envelope carries a computed bound as a constant (the "-C" variants, unless the
    /// defect-compatible <see cref="CrownOptions.Unrounded"/> is asked for).</summary>
    public static bool Needed(CrownOptions options) => !options.Unrounded && HasConstantLines(options.Variant);

    /// <summary>The variants whose lines carry l or u as a constant.</summary>
    public static bool HasConstantLines(CrownVariant variant) =>
        variant is CrownVariant.ZeroC or CrownVariant.LowerTriaC or CrownVariant.UpperTriaC;

    /// <summary>One margin per ReLU input ([B, …], detached, ≥ 0) for the input region [<paramref name="lo"/>,
    /// <paramref name="hi"/>] ([B, …input]), or null when <paramref name="options"/> need none: the per-layer steps below
    /// walked through the network (<see cref="MarginRelaxations"/>).</summary>
    public static IReadOnlyList<Tensor>? For(ILayerWalk walk, CrownOptions options, Tensor lo, Tensor hi)
    {
        if (!Needed(options)) return null;
        var margins = new List<Tensor>();
        Output(walk, lo, hi, margins);
        return margins;
    }

    /// <summary>The magnitude of the network's output over [<paramref name="lo"/>, <paramref name="hi"/>], appending every
    /// ReLU's margin to <paramref name="margins"/>: the per-layer steps below walked through the network.</summary>
    public static Magnitude Output(ILayerWalk walk, Tensor lo, Tensor hi, List<Tensor> margins) =>
        walk.Propagate<MarginRelaxations, Magnitude, List<Tensor>>(Input(lo, hi), margins, spec: null).Output;

    /// <summary>The input's magnitude max(|lo|, |hi|), no accumulation yet.</summary>
    public static Magnitude Input(Tensor lo, Tensor hi) => new(maximum(lo.detach().abs(), hi.detach().abs()), 0);

    /// <summary>(|x| + |μ|)/|σ| per channel; two roundings.</summary>
    public static Magnitude Normalize(Normalize layer, Magnitude m) =>
        new((m.Value + NormalizeConcrete.ChannelView(layer.Mean.detach().abs(), m.Value)) / NormalizeConcrete.ChannelView(layer.Sigma.detach().abs(), m.Value),
            m.Accumulations + 2);

    /// <summary>Flattened; no rounding.</summary>
    public static Magnitude Flatten(Magnitude m) => m with { Value = m.Value.flatten(1) };

    /// <summary>|W|·m + |b|; a sum over the fan-in and the bias.</summary>
    public static Magnitude Dense(Dense layer, Magnitude m) =>
        new(nn.functional.linear(m.Value, layer.Weight.detach().abs(), layer.Bias.detach().abs()), m.Accumulations + layer.Weight.shape[1] + 2);

    /// <summary>conv(m, |W|) + |b|; a sum over C_in·k·k and the bias.</summary>
    public static Magnitude Conv2d(Conv2d layer, Magnitude m) =>
        new(Conv2dConcrete.Propagate(layer with { Weight = layer.Weight.detach().abs(), Bias = layer.Bias.detach().abs() }, m.Value),
            m.Accumulations + layer.Weight.shape[1] * layer.Weight.shape[2] * layer.Weight.shape[3] + 2);

    /// <summary>The margin of ReLU number <c>margins.Count</c>, γ_N·(k + 1)·M, appended to <paramref name="margins"/>;
    /// the magnitude passes unchanged (|relu(x)| ≤ |x|, the envelope's product and offset: two roundings).</summary>
    public static Magnitude Relu(Magnitude m, List<Tensor> margins)
    {
        double unit = Unit(m.Value.dtype), n = m.Accumulations;
        margins.Add(m.Value * (n * unit / (1 - n * unit) * (margins.Count + 1)));
        return m with { Accumulations = n + 2 };
    }
}

/// <summary>A bound on the absolute values of a layer's terms ([B, …], detached) and the number of float roundings
/// accumulated along the longest chain up to it.</summary>
public sealed record Magnitude(Tensor Value, double Accumulations);
