using System.Collections.Concurrent;
using System.Globalization;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using LanguageExt;
using LanguageExt.Common;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Runtime;

/// <summary>One known-answer check of a native operation: its float32 result against a float64 reference computed
/// another way.</summary>
/// <param name="Operation">What was checked (e.g. "matmul", "conv2d", "convolution transpose").</param>
/// <param name="Shapes">The shapes it ran on.</param>
/// <param name="Error">Largest absolute difference from the reference (NaN if the result was not finite).</param>
/// <param name="Ratio">Largest ratio of an entry's difference to its own rigorous float32 error bound (γ_n·Σ|terms|
/// plus the result's rounding); NaN if the result was not finite.</param>
public sealed record KernelCheckResult(string Operation, string Shapes, double Error, double Ratio)
{
    /// <summary>Every entry within its bound (and finite).</summary>
    public bool Passed => Ratio <= 1;
}

/// <summary>
/// Known-answer checks, float32 against float64, of the native operations soundness depends on: matmul, addmm
/// (linear), bmm, conv2d and the convolution paths of <see cref="Convolution"/> (im2col with its gradients, the
/// transposition by fold), abs, clamp, relu, sum, amax/amin. They run once per process and device before the first
/// certificate or training step (milliseconds); a failure means this CPU's kernels cannot be trusted for
/// certificates (seen: libtorch's oneDNN deconvolution on AVX-512 CPUs) and <see cref="Ensure"/> refuses.
/// <para>References are computed in float64 by a different route (elementwise products and sums), so a kernel wrong
/// in both precisions is caught too. Tolerances are γ_n·Σ|terms| (Higham §3.1) plus the result's own rounding.</para>
/// </summary>
public static class KernelCheck
{
    const double RoundOff = 5.9604644775390625e-8;
    static readonly ConcurrentDictionary<string, IReadOnlyList<KernelCheckResult>> cache = new();
    static readonly AsyncLocal<string?> injected = new();

    /// <summary>Runs every check on <paramref name="device"/> (not cached).</summary>
    public static IReadOnlyList<KernelCheckResult> Run(Device? device = null)
    {
        device ??= CPU;
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var g = new Generator(20261201, device);
        Tensor R(params long[] shape) => randn(shape, float32, device, generator: g);
        var results = new List<KernelCheckResult>();

        foreach (var (m, k, n) in new (long, long, long)[] { (7, 13, 5), (64, 784, 100), (3, 1, 9) })
        {
            var a = R(m, k); var b = R(k, n); var bias = R(n);
            results.Add(Compare("matmul", $"[{m},{k}]·[{k},{n}]", a.matmul(b), Product(a, b), Bound(a, b, k)));
            results.Add(Compare("addmm (linear)", $"[{m},{k}]·[{n},{k}]ᵀ + b", nn.functional.linear(a, b.t().contiguous(), bias),
                Product(a, b) + bias.to(float64), Bound(a, b, k + 1) + bias.to(float64).abs() * (k + 1) * RoundOff));
        }
        {
            var a = R(4, 6, 11); var b = R(4, 11, 3);
            var exact = (a.to(float64).unsqueeze(3) * b.to(float64).unsqueeze(1)).sum(2);
            var bound = (a.to(float64).abs().unsqueeze(3) * b.to(float64).abs().unsqueeze(1)).sum(2) * Gamma(11) + exact.abs() * RoundOff;
            results.Add(Compare("bmm", "[4,6,11]·[4,11,3]", bmm(a, b), exact, bound));
        }
        foreach (var (c, h, outC, kernel, stride, pad, batch) in new (long, long, long, long, long, long, long)[]
                 { (1, 28, 16, 4, 2, 1, 5), (16, 14, 32, 4, 2, 1, 3), (1, 8, 2, 2, 1, 1, 7), (2, 6, 4, 2, 2, 0, 30), (3, 7, 3, 3, 1, 1, 4) })
            results.AddRange(Convolutions(c, h, outC, kernel, stride, pad, batch, R));
        {
            var x = R(5, 300) * 3;
            var x64 = x.to(float64);
            results.Add(Compare("abs", "[5,300]", x.abs(), x64.abs(), zeros_like(x64)));
            results.Add(Compare("relu", "[5,300]", x.relu(), x64.clamp_min(0), zeros_like(x64)));
            results.Add(Compare("clamp", "[5,300] to [−0.5, 0.75]", x.clamp(-0.5, 0.75), x64.clamp(-0.5, 0.75), zeros_like(x64)));
            results.Add(Compare("sum", "[5,300] over 300", x.sum(1), x64.sum(1), x64.abs().sum(1) * Gamma(300)));
            results.Add(Compare("amax", "[5,300] over 300", x.amax(1), x64.amax(1), zeros(5, float64, device)));
            results.Add(Compare("amin", "[5,300] over 300", x.amin(1), x64.amin(1), zeros(5, float64, device)));
        }
        return results;
    }

    /// <summary>The checks of <paramref name="device"/>, run once per process (an injected fault bypasses the cache).</summary>
    public static IReadOnlyList<KernelCheckResult> Results(Device? device = null)
    {
        device ??= CPU;
        return injected.Value is null ? cache.GetOrAdd(device.ToString(), _ => Run(device)) : Run(device);
    }

    /// <summary>Succeeds when every check passed on <paramref name="device"/>; otherwise an error (code
    /// <see cref="ErrorCodes.KernelCheckFailed"/>) per failed check, naming the operation and the workaround.</summary>
    public static Fin<Unit> Ensure(Device? device = null)
    {
        var failed = Results(device).Where(r => !r.Passed).ToList();
        if (failed.Count == 0) return Unit.Default;
        var errors = failed.Select(r => Error.New(ErrorCodes.KernelCheckFailed, string.Create(CultureInfo.InvariantCulture,
            $"The native {r.Operation} kernel on this machine computes wrong float32 values ({r.Shapes}: off by {r.Error:G3}, {r.Ratio:G3}× its rounding-error bound); certificates and gradients computed here could be wrong, so nothing is computed. Workaround: cap oneDNN's instruction set with ONEDNN_MAX_CPU_ISA=SSE41 in the environment (or use another libtorch build); `certify doctor` lists every check.")));
        return errors.Aggregate((a, b) => a + b);
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> when <see cref="Ensure"/> fails (library entry points).</summary>
    public static void ThrowIfFailed(Device? device = null) =>
        Ensure(device).IfFail(e => throw new InvalidOperationException(e.Message));

    /// <summary>For tests: within the returned scope (this async flow only), the float32 result of every check whose
    /// operation starts with <paramref name="operation"/> is corrupted, as a wrong kernel would return it.</summary>
    public static IDisposable InjectFault(string operation)
    {
        var previous = injected.Value;
        injected.Value = operation;
        return new Restore(() => injected.Value = previous);
    }

    sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    // The native conv2d, the im2col forward and its input/weight gradients, and the matrix transposition, against a
    // float64 reference built from the convolution's definition (unfold in float64, elementwise products).
    static IEnumerable<KernelCheckResult> Convolutions(long c, long h, long outC, long kernel, long stride, long pad, long batch, Func<long[], Tensor> r)
    {
        var layer = new Conv2d(r([outC, c, kernel, kernel]), r([outC]), stride, pad);
        var x = r([batch, c, h, h]);
        long ho = (h + 2 * pad - kernel) / stride + 1, taps = c * kernel * kernel;
        string shapes = $"{c}×{h}×{h} → {outC}×{ho}×{ho}, k {kernel}, s {stride}, p {pad}, batch {batch}";
        // Reference: y[n, o, p] = Σ_t W[o, t]·cols[n, t, p] + b[o] with float64 columns (unfold only moves values).
        var cols = nn.functional.unfold(x.to(float64), kernel, 1, pad, stride);                       // [N, taps, L]
        var w64 = layer.Weight.to(float64).flatten(1);                                                 // [O, taps]
        var terms = w64.unsqueeze(0).unsqueeze(3) * cols.unsqueeze(1);                                 // [N, O, taps, L]
        var exact = (terms.sum(2) + layer.Bias.to(float64).view(1, -1, 1)).view(batch, outC, ho, ho);
        var bound = ((terms.abs().sum(2) + layer.Bias.to(float64).abs().view(1, -1, 1)) * Gamma(taps + 1)).view(batch, outC, ho, ho) + exact.abs() * RoundOff;
        Tensor native;
        using (no_grad()) native = nn.functional.conv2d(x, layer.Weight, layer.Bias, strides: [stride, stride], padding: [pad, pad]);
        yield return Compare("conv2d", shapes, native, exact, bound);

        var xg = x.detach().requires_grad_(true);
        var wg = layer.Weight.detach().requires_grad_(true);
        var y = Convolution.Apply(layer with { Weight = wg }, xg, wg, layer.Bias);
        yield return Compare("conv2d (im2col, with gradients)", shapes, y.detach(), exact, bound);
        var upstream = r([batch, outC, ho, ho]);
        (y * upstream).sum().backward();
        // ∂/∂x: Σ_{o,p} u[n,o,p]·W[o,t] folded back to pixels; ∂/∂W: Σ_{n,p} u[n,o,p]·cols[n,t,p].
        var u = upstream.to(float64).flatten(2);                                                        // [N, O, L]
        var gradCols = (u.unsqueeze(2) * w64.unsqueeze(0).unsqueeze(3));                              // [N, O, taps, L]
        var gx = nn.functional.fold(gradCols.sum(1), h, kernel, 1, pad, stride);
        var gxBound = nn.functional.fold(gradCols.abs().sum(1), h, kernel, 1, pad, stride) * Gamma(outC * kernel * kernel + 1) + gx.abs() * RoundOff;
        yield return Compare("conv2d input gradient (fold)", shapes, xg.grad!, gx, gxBound);
        var gwTerms = u.unsqueeze(2) * cols.unsqueeze(1);                                              // [N, O, taps, L]
        var gw = gwTerms.sum([0, 3]).view(layer.Weight.shape);
        var gwBound = gwTerms.abs().sum([0, 3]).view(layer.Weight.shape) * Gamma(batch * ho * ho) + gw.abs() * RoundOff;
        yield return Compare("conv2d weight gradient", shapes, wg.grad!, gw, gwBound);

        // Transposition: A·M against A·(float64 matrix from the definition) — M's column for input pixel q holds W at the
        // taps that read q.
        var a = r([2, 3, outC, ho, ho]);
        var transposed = Convolution.Transpose(layer, [c, h, h], a);
        var aFlat = a.to(float64).view(6, outC, 1, ho * ho);                                           // [S·K, O, 1, L]
        var back = (aFlat * w64.view(1, outC, taps, 1));                                               // [S·K, O, taps, L]
        var t = nn.functional.fold(back.sum(1), h, kernel, 1, pad, stride).view(2, 3, c, h, h);
        var tBound = nn.functional.fold(back.abs().sum(1), h, kernel, 1, pad, stride).view(2, 3, c, h, h) * Gamma(outC * ho * ho) + t.abs() * RoundOff;
        yield return Compare("convolution transpose (fold)", shapes, transposed, t, tBound);
    }

    static Tensor Product(Tensor a, Tensor b) => (a.to(float64).unsqueeze(2) * b.to(float64).unsqueeze(0)).sum(1);

    static Tensor Bound(Tensor a, Tensor b, long n) =>
        (a.to(float64).abs().unsqueeze(2) * b.to(float64).abs().unsqueeze(0)).sum(1) * Gamma(n) + Product(a, b).abs() * RoundOff;

    static double Gamma(long n) => n * RoundOff / (1 - n * RoundOff);

    static KernelCheckResult Compare(string operation, string shapes, Tensor ours, Tensor exact, Tensor bound)
    {
        if (injected.Value is { } fault && operation.StartsWith(fault, StringComparison.Ordinal))
            ours = ours.detach().clone().flatten().index_put_(ours.detach().flatten()[0] + 1, 0).view(ours.shape);
        var diff = (ours.detach().to(float64) - exact).abs();
        if (!diff.isfinite().all().item<bool>()) return new(operation, shapes, double.NaN, double.NaN);
        return new(operation, shapes, diff.max().item<double>(), (diff / (bound + 1e-300)).max().item<double>());
    }
}
