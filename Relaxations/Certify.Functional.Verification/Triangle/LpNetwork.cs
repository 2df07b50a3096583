using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Concrete;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Triangle;

/// <summary>An affine stage v ↦ W·v + b in float64 (W row-major [Out, In]).</summary>
/// <param name="Layer">Index of the network layer that ends the stage (the Dense layer, or the last layer).</param>
/// <param name="In">Inputs.</param>
/// <param name="Out">Outputs.</param>
/// <param name="Weight">W, row-major [Out, In].</param>
/// <param name="Bias">b [Out].</param>
public sealed record LpAffine(int Layer, int In, int Out, double[] Weight, double[] Bias)
{
    /// <summary>Row <paramref name="i"/> of W.</summary>
    public ReadOnlySpan<double> Row(int i) => Weight.AsSpan(i * In, In);

    /// <summary>Interval arithmetic: bounds of W·v + b over the box [<paramref name="lower"/>, <paramref name="upper"/>].</summary>
    public (double[] Lower, double[] Upper) Interval(double[] lower, double[] upper)
    {
        var lo = new double[Out];
        var hi = new double[Out];
        for (int i = 0; i < Out; i++)
        {
            var w = Row(i);
            double l = Bias[i], u = Bias[i];
            for (int k = 0; k < w.Length; k++)
            {
                l += w[k] * (w[k] >= 0 ? lower[k] : upper[k]);
                u += w[k] * (w[k] >= 0 ? upper[k] : lower[k]);
            }
            (lo[i], hi[i]) = (l, u);
        }
        return (lo, hi);
    }
}

/// <summary>
/// A network of Normalize, Flatten, Dense and ReLU layers lowered to float64 for the LP: alternating affine stages
/// and ReLUs. Normalize and Flatten are elementwise affine / identity maps folded into the next Dense layer
/// (W' = W·diag(1/σ), b' = b − W·(μ/σ)); if the network does not end with a Dense layer the trailing elementwise map
/// becomes a diagonal last stage, so <see cref="Stages"/> always ends with the logits' affine map.
/// </summary>
public sealed class LpNetwork
{
    /// <summary>Affine stages; ReLU i sits between <c>Stages[i]</c> and <c>Stages[i + 1]</c>.</summary>
    public IReadOnlyList<LpAffine> Stages { get; }

    /// <summary>Shape of every ReLU input ([…], without the batch dimension).</summary>
    public IReadOnlyList<long[]> ReluShapes { get; }

    /// <summary>Number of input elements.</summary>
    public int Inputs { get; }

    LpNetwork(IReadOnlyList<LpAffine> stages, IReadOnlyList<long[]> reluShapes, int inputs) =>
        (Stages, ReluShapes, Inputs) = (stages, reluShapes, inputs);

    /// <summary>Why <paramref name="description"/> cannot be encoded (a Conv2d layer, a ReLU without a Dense layer
    /// before it), or null when it can.</summary>
    public static string? Unsupported(NetworkDescription description)
    {
        foreach (var layer in description.Layers)
            if (layer.Declaration.Kind is not (LayerKind.Normalize or LayerKind.Flatten or LayerKind.Dense or LayerKind.ReLU))
                return $"Network '{description.Name}': layer {layer.Index} is {layer.Declaration.Kind}; the exact Triangle LP supports "
                    + "Normalize, Flatten, Dense and ReLU layers only (fully connected networks). Use deeppoly for convolutional networks.";
        bool dense = false;
        foreach (var layer in description.Layers)
        {
            if (layer.Declaration.Kind == LayerKind.Dense) dense = true;
            else if (layer.Declaration.Kind == LayerKind.ReLU)
            {
                if (!dense)
                    return $"Network '{description.Name}': ReLU {layer.Index} has no Dense layer before it; the Triangle LP encodes "
                        + "ReLUs of Dense pre-activations only.";
                dense = false;
            }
        }
        return null;
    }

    /// <summary>Lowers <paramref name="net"/> (parameters read once, converted to float64 on the CPU).</summary>
    /// <exception cref="ArgumentException">The network has a layer the LP does not encode (see <see cref="Unsupported"/>).</exception>
    public static LpNetwork From(NetworkModule net)
    {
        var description = net.Description;
        if (Unsupported(description) is { } why) throw new ArgumentException(why, nameof(net));
        using var _ = no_grad();
        var stages = new List<LpAffine>();
        var shapes = new List<long[]>();
        int inputs = (int)description.Layers[0].Input.Size;
        // The pending elementwise map v ↦ scale ⊙ v + shift since the last Dense (or the input).
        double[] scale = Ones(inputs), shift = new double[inputs];
        bool pendingIdentity = true;
        foreach (var layer in description.Layers)
        {
            switch (layer.Declaration.Kind)
            {
                case LayerKind.Normalize:
                {
                    var n = net.NormalizeAt(layer.Index);
                    long[] shape = [1, .. layer.Input.Dims.Select(d => (long)d)];
                    var mean = NormalizeConcrete.ChannelView(n.Mean.to(float64, CPU), zeros(shape, float64));
                    var sigma = NormalizeConcrete.ChannelView(n.Sigma.to(float64, CPU), zeros(shape, float64));
                    var a = (ones(shape, float64) / sigma).flatten().data<double>().ToArray();
                    var c = (-mean / sigma).expand(shape).flatten().data<double>().ToArray();
                    for (int i = 0; i < scale.Length; i++) { shift[i] = a[i] * shift[i] + c[i]; scale[i] *= a[i]; }
                    pendingIdentity = false;
                    break;
                }
                case LayerKind.Flatten:
                    break;                                                      // row-major order is kept
                case LayerKind.Dense:
                {
                    var d = net.DenseAt(layer.Index);
                    var w = d.Weight.to(float64, CPU).contiguous().data<double>().ToArray();
                    var b = d.Bias.to(float64, CPU).contiguous().data<double>().ToArray();
                    int outs = (int)d.Weight.shape[0], ins = (int)d.Weight.shape[1];
                    if (!pendingIdentity)
                        for (int r = 0; r < outs; r++)
                            for (int k = 0; k < ins; k++) { b[r] += w[r * ins + k] * shift[k]; w[r * ins + k] *= scale[k]; }
                    stages.Add(new LpAffine(layer.Index, ins, outs, w, b));
                    (scale, shift, pendingIdentity) = (Ones(outs), new double[outs], true);
                    break;
                }
                case LayerKind.ReLU:
                    shapes.Add(layer.Input.Dims.Select(v => (long)v).ToArray());
                    break;
            }
        }
        var last = description.Layers[^1];
        if (last.Declaration.Kind != LayerKind.Dense && stages.Count == shapes.Count + 1)
        {
            // Normalize/Flatten after the last Dense: fold the elementwise map into its rows.
            var s = stages[^1];
            var w = (double[])s.Weight.Clone();
            var b = new double[s.Out];
            for (int r = 0; r < s.Out; r++)
            {
                b[r] = scale[r] * s.Bias[r] + shift[r];
                for (int k = 0; k < s.In; k++) w[r * s.In + k] *= scale[r];
            }
            stages[^1] = s with { Layer = last.Index, Weight = w, Bias = b };
        }
        else if (last.Declaration.Kind != LayerKind.Dense)
        {
            int n = scale.Length;
            var w = new double[n * n];
            for (int i = 0; i < n; i++) w[i * n + i] = scale[i];
            stages.Add(new LpAffine(last.Index, n, n, w, (double[])shift.Clone()));
        }
        return new LpNetwork(stages, shapes, inputs);
    }

    /// <summary>The same network with its last stage replaced by the rows of <paramref name="rows"/> [M, K] (row-major)
    /// applied to the logits: W' = C·W, b' = C·b, in float64. Its "logits" are then c_m·z (a VNN-LIB property's rows).</summary>
    public LpNetwork WithRows(double[] rows, int m)
    {
        var last = Stages[^1];
        int k = last.Out;
        if (rows.Length != m * k) throw new ArgumentException($"Rows: {rows.Length} values for {m} rows of {k} logits.", nameof(rows));
        var w = new double[m * last.In];
        var b = new double[m];
        for (int r = 0; r < m; r++)
            for (int j = 0; j < k; j++)
            {
                double c = rows[r * k + j];
                if (c == 0) continue;
                b[r] += c * last.Bias[j];
                for (int i = 0; i < last.In; i++) w[r * last.In + i] += c * last.Weight[j * last.In + i];
            }
        return new LpNetwork([.. Stages.Take(Stages.Count - 1), last with { Out = m, Weight = w, Bias = b }], ReluShapes, Inputs);
    }

    static double[] Ones(int n) => Enumerable.Repeat(1.0, n).ToArray();
}
