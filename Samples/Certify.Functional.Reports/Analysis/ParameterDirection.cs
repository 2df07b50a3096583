using Certify.Functional.Verification.Domains;
using Certify.Functional.Networks;
using static TorchSharp.torch;

namespace Certify.Functional.Analysis;

/// <summary>
/// A direction d in weight space: one float32 array per parameter tensor of a network (Dense/Conv2d weights and biases,
/// in <c>named_parameters()</c> order; Normalize buffers are not parameters and never move). Plain arrays, so a direction
/// outlives every dispose scope and can be reused across calls and across domains (same d for every relaxation).
/// </summary>
/// <param name="Names">Parameter names, e.g. <c>layers.1.weight</c>.</param>
/// <param name="Values">Flattened values, one array per parameter, same element count as the parameter.</param>
public sealed record ParameterDirection(IReadOnlyList<string> Names, IReadOnlyList<float[]> Values)
{
    /// <summary>Euclidean norm over all parameters.</summary>
    public double Norm => Math.Sqrt(Values.Sum(v => v.Sum(e => (double)e * e)));

    /// <summary>A seeded Gaussian direction scaled per parameter tensor to that tensor's norm ("filter-wise" scaling of
    /// Li et al. 2018, at tensor granularity): d_p = g_p·‖θ_p‖/‖g_p‖ with g_p ~ N(0, I) drawn from a CPU generator seeded
    /// with <paramref name="seed"/> in parameter order, so the same seed gives the same direction on every run and device.
    /// Parameters with ‖θ_p‖ = 0 (e.g. zero biases) get d_p = 0. Hence ‖d‖ = ‖θ‖ and t in θ + t·d is a relative step.</summary>
    public static ParameterDirection Random(NetworkModule net, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var generator = new Generator(seed);
        var names = new List<string>();
        var values = new List<float[]>();
        foreach (var (name, p) in net.named_parameters())
        {
            var g = randn(p.shape, dtype: float64, generator: generator);
            var pNorm = p.detach().to(float64, CPU).norm().item<double>();
            var gNorm = g.norm().item<double>();
            var d = gNorm > 0 ? g * (pNorm / gNorm) : zeros_like(g);
            names.Add(name);
            values.Add(d.to(float32).flatten().data<float>().ToArray());
        }
        return new ParameterDirection(names, values);
    }

    /// <summary>The unit vector of one parameter element, e.g. <c>Unit(net, "layers.0.bias", 0)</c> slices along b₁.</summary>
    /// <exception cref="ArgumentException">Unknown parameter name or element index out of range.</exception>
    public static ParameterDirection Unit(NetworkModule net, string parameter, long index)
    {
        var parameters = net.named_parameters().ToList();
        if (parameters.All(p => p.name != parameter))
            throw new ArgumentException($"Network '{net.Description.Name}' has no parameter '{parameter}'. Known: {string.Join(", ", parameters.Select(p => p.name))}.", nameof(parameter));
        var values = parameters.Select(p => new float[p.parameter.numel()]).ToList();
        int k = parameters.FindIndex(p => p.name == parameter);
        if (index < 0 || index >= values[k].Length)
            throw new ArgumentException($"Parameter '{parameter}' has {values[k].Length} elements; index {index} is out of range.", nameof(index));
        values[k][index] = 1f;
        return new ParameterDirection(parameters.Select(p => p.name).ToList(), values);
    }

    /// <summary>The gradient direction of the abstract loss L_abs (κ = 0) at the current weights, scaled as a whole to
    /// ‖θ‖ (d = ∇L·‖θ‖/‖∇L‖: the gradient's direction, the same overall length as a <see cref="Random"/> direction).</summary>
    /// <exception cref="InvalidOperationException">The gradient is zero (no direction), or the domain has no gradient.</exception>
    public static ParameterDirection Gradient(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps)
    {
        var (_, gradient) = AbstractLoss.ValueAndGradient(net, x, y, domain, eps);
        double gNorm = gradient.Norm;
        if (!(gNorm > 0))
            throw new InvalidOperationException($"Gradient of L_abs ({domain.Name}, ε = {eps}) on network '{net.Description.Name}' is zero; it defines no direction. Use a random direction.");
        double scale = ThetaNorm(net) / gNorm;
        return gradient with { Values = gradient.Values.Select(v => v.Select(e => (float)(e * scale)).ToArray()).ToList() };
    }

    /// <summary>‖θ‖ over all parameters (float64).</summary>
    public static double ThetaNorm(NetworkModule net)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Math.Sqrt(net.parameters().Sum(p => p.detach().to(float64).square().sum().item<double>()));
    }

    /// <summary>Checks that this direction fits <paramref name="net"/> (same names and element counts, in order).</summary>
    internal void CheckFits(NetworkModule net)
    {
        var parameters = net.named_parameters().ToList();
        if (parameters.Count != Values.Count || parameters.Where((p, i) => p.name != Names[i] || p.parameter.numel() != Values[i].Length).Any())
            throw new ArgumentException($"Direction over [{string.Join(", ", Names.Select((n, i) => $"{n}:{Values[i].Length}"))}] does not fit network "
                + $"'{net.Description.Name}' [{string.Join(", ", parameters.Select(p => $"{p.name}:{p.parameter.numel()}"))}]. Build it from the same network.");
    }
}
