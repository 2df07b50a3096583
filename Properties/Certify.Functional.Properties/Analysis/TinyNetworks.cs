using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Interpreter;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Analysis;

/// <summary>
/// The hand-built networks of properties.md §7.3's worked example, on one input x ∈ [x₀ − ε, x₀ + ε] (x₀ = 0.5, ε = 0.25: no
/// clamping), label 0, two logits so that the merged specification z₀ − z₁ is the example's output:
/// <list type="bullet">
/// <item><see cref="OneNeuron"/>: z₀ − z₁ = w₂·ReLU(w₁x + b₁) + b₂ (second logit's weights and bias 0).</item>
/// <item><see cref="Twin"/>: z₀ − z₁ = ReLU(w₁x + b₁) − ReLU(w₁x + b₁ + s), the second neuron always active (s large): a
/// witness that keeps the first neuron's correlation with the input, so hBox's jump at l = 0 shows (on a single neuron
/// hBox's crossing output [0, u] meets the active output [l, u] = [0, u] at l = 0: no jump to see).</item>
/// </list>
/// </summary>
public static class TinyNetworks
{
    /// <summary>x₀.</summary>
    public const double X0 = 0.5;
    /// <summary>ε.</summary>
    public const double Eps = 0.25;

    /// <summary>Inputs [[x₀]].</summary>
    public static Tensor Input() => tensor(new[] { (float)X0 }).view(1, 1);

    /// <summary>Labels [0].</summary>
    public static Tensor Label() => tensor(new[] { 0L });

    /// <summary>Dense(1→1) [w₁, b₁] → ReLU → Dense(1→2) [[w₂], [0]], [b₂, 0]. The caller disposes it.</summary>
    public static InterpretedNetwork OneNeuron(double w1, double b1, double w2, double b2)
    {
        var net = new InterpretedNetwork(NetworkDescription.Declared("one-neuron", Shape.Of(1),
            new DenseDeclaration(1), new ReluDeclaration(), new DenseDeclaration(2)));
        Set(net, ("layers.0.weight", [w1]), ("layers.0.bias", [b1]), ("layers.2.weight", [w2, 0]), ("layers.2.bias", [b2, 0]));
        return net;
    }

    /// <summary>Dense(1→2) [[w₁], [w₁]], [b₁, b₁ + s] → ReLU → Dense(2→2) [[1, −1], [0, 0]], [0, 0]. The caller disposes it.</summary>
    public static InterpretedNetwork Twin(double w1, double b1, double shift)
    {
        var net = new InterpretedNetwork(NetworkDescription.Declared("twin", Shape.Of(1),
            new DenseDeclaration(2), new ReluDeclaration(), new DenseDeclaration(2)));
        Set(net, ("layers.0.weight", [w1, w1]), ("layers.0.bias", [b1, b1 + shift]), ("layers.2.weight", [1, -1, 0, 0]), ("layers.2.bias", [0, 0]));
        return net;
    }

    static void Set(InterpretedNetwork net, params (string Name, double[] Values)[] values)
    {
        using var _ = no_grad();
        var parameters = net.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, v) in values)
        {
            using var t = tensor(v.Select(e => (float)e).ToArray());
            parameters[name].copy_(t.view(parameters[name].shape));
        }
    }

    /// <summary>Every parameter's float32 bit patterns, in parameter order (for bit-for-bit comparisons).</summary>
    public static int[][] Bits(Certify.Functional.Networks.NetworkModule net) => net.parameters()
        .Select(p => p.detach().contiguous().data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray()).ToArray();
}

/// <summary>
/// Closed forms of properties.md §7.3 (float64) for <see cref="TinyNetworks.OneNeuron"/> with the second logit's parameters free
/// too: w₂ = W₂[0] − W₂[1], b₂ = b₂[0] − b₂[1] (the merged specification), a = w₁x₀ + b₁, r = |w₁|ε, l = a − r, u = a + r.
/// Case split as the modules: crossing ⇔ l &lt; 0 &lt; u; zonotope/hybrid active ⇔ l ≥ 0; CROWN active ⇔ l &gt; 0 (at l = 0 its
/// crossing formulas give the same line). The reference's 1e−6 (DeepZ) and 1e−9 (chord) are kept.
/// </summary>
public static class OneNeuronClosedForm
{
    /// <summary>Lower bound of z₀ − z₁ for "box", "hbox", "zono" or "deeppoly".</summary>
    public static double Lower(string domain, double w1, double b1, double w2, double b2)
    {
        double a = w1 * TinyNetworks.X0 + b1, r = Math.Abs(w1) * TinyNetworks.Eps, l = a - r, u = a + r;
        bool crossing = l < 0 && u > 0;
        double Pos(double v) => Math.Max(v, 0);
        switch (domain)
        {
            case "box":
            case "hbox":                                                   // identical for one neuron: ReLU box [relu(l), relu(u)]
                return b2 + (w2 >= 0 ? w2 * Pos(l) : w2 * Pos(u));
            case "zono":
            {
                if (!crossing) return b2 + (l >= 0 ? w2 * a - Math.Abs(w2) * r : 0);
                double lambda = u / (u - l + 1e-6), mu = -l * lambda / 2;    // y = λh + μ + μ·e_new, h = a ± r
                return b2 + w2 * (lambda * a + mu) - Math.Abs(w2) * (lambda * r + mu);
            }
            case "deeppoly":
            {
                if (!crossing) return b2 + (l > 0 ? w2 * a - Math.Abs(w2) * r : u < 0 ? 0 : (w2 >= 0 ? w2 * Pos(l) : w2 * Pos(u)));
                if (w2 >= 0) return b2 + (u < -l ? 0 : w2 * l);            // area heuristic: slope 1 iff u ≥ −l
                double chord = u * (u - l) / (u - l + 1e-9);                  // λ_u·u + μ_u
                return b2 + w2 * chord;
            }
            default: throw new ArgumentException($"No closed form for '{domain}'.", nameof(domain));
        }
    }

    /// <summary>L_abs = log(1 + e^{−d}) (two classes, label 0) for θ = (w₁, b₁, W₂[0], W₂[1], b₂[0], b₂[1]).</summary>
    public static double Loss(string domain, double[] theta)
    {
        double d = Lower(domain, theta[0], theta[1], theta[2] - theta[3], theta[4] - theta[5]);
        return d > 0 ? double.LogP1(Math.Exp(-d)) : -d + double.LogP1(Math.Exp(d));
    }

    /// <summary>∇_θ L by central differences of the closed form (h = 1e−6, float64: error ~1e−10 where L is smooth).</summary>
    public static double[] Gradient(string domain, double[] theta) => theta.Select((_, i) =>
    {
        var (plus, minus) = ((double[])theta.Clone(), (double[])theta.Clone());
        plus[i] += 1e-6;
        minus[i] -= 1e-6;
        return (Loss(domain, plus) - Loss(domain, minus)) / 2e-6;
    }).ToArray();
}
