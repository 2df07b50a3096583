using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>
/// The weight perturbations of Gaussian loss smoothing (<see cref="Rgs"/>, <see cref="Pgpe"/>): ε ~ N(0, σ²) per
/// parameter element from the caller's generator, θ ± ε written in place under no_grad, and θ put back by copying saved
/// clones — bit for bit, never by subtracting ε (fl(fl(θ + ε) − ε) ≠ θ in general). Not thread-safe: the parameters are
/// mutated for the duration of an evaluation.
/// </summary>
internal static class WeightNoise
{
    /// <summary>Exact copies of <paramref name="parameters"/>; fresh tensors, the caller's scope owns them.</summary>
    public static Tensor[] Save(IReadOnlyList<Tensor> parameters)
    {
        using var _ = no_grad();
        return parameters.Select(p => p.detach().clone()).ToArray();
    }

    /// <summary>σ·z per parameter, z ~ N(0, I) drawn from <paramref name="generator"/> in parameter order, in each
    /// parameter's shape, dtype and device; fresh tensors, the caller's scope owns them.</summary>
    public static Tensor[] Draw(IReadOnlyList<Tensor> parameters, double sigma, Generator generator) =>
        parameters.Select(p => randn(p.shape, p.dtype, p.device, generator: generator).mul_(sigma)).ToArray();

    /// <summary>Every parameter's <c>.grad</c>, created or set to zero; handles in the caller's scope (the storage
    /// belongs to the parameters).</summary>
    public static Tensor[] ZeroGrads(IReadOnlyList<Tensor> parameters)
    {
        using var _ = no_grad();
        return parameters.Select(p =>
        {
            if (p.grad is { } g) return g.zero_();
            p.grad = zeros_like(p);
            return p.grad!;
        }).ToArray();
    }

    /// <summary><paramref name="evaluate"/>() at θ + <paramref name="sign"/>·ε, where θ = <paramref name="saved"/> (the
    /// parameters' current values); the parameters are copied back from <paramref name="saved"/> in a <c>finally</c>, so
    /// even a throwing evaluation leaves them unchanged. The evaluation runs with the caller's grad mode.</summary>
    public static TResult At<TResult>(IReadOnlyList<Tensor> parameters, Tensor[] saved, Tensor[] noise, double sign, Func<TResult> evaluate)
    {
        using (no_grad())
            for (int i = 0; i < parameters.Count; i++) parameters[i].add_(noise[i], alpha: sign);
        try { return evaluate(); }
        finally
        {
            using (no_grad())
                for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(saved[i]);
        }
    }

    /// <summary>Σ of the pieces' losses (float64), each piece built on the current weights; every piece's value is appended
    /// to <paramref name="values"/> (the estimator's record of its evaluations, in order).</summary>
    public static double Sum<T>(IReadOnlyList<Func<Scored<T>>> pieces, List<T> values)
    {
        double sum = 0;
        foreach (var piece in pieces)
        {
            var (loss, value) = piece();
            sum += loss.to_type(ScalarType.Float64).item<double>();
            values.Add(value);
        }
        return sum;
    }

    /// <summary>Plain loss pieces as pieces without a value.</summary>
    public static IReadOnlyList<Func<Scored<LanguageExt.Unit>>> Unscored(IReadOnlyList<Func<Tensor>> pieces) =>
        pieces.Select(piece => (Func<Scored<LanguageExt.Unit>>)(() => new Scored<LanguageExt.Unit>(piece(), default))).ToList();

    /// <summary>Argument checks shared by the estimators.</summary>
    public static void Check(IReadOnlyList<Tensor> parameters, int pieces, double sigma, int samples, bool positiveSigma)
    {
        if (parameters.Count == 0) throw new ArgumentException("Loss smoothing needs at least one parameter tensor.", nameof(parameters));
        if (pieces == 0) throw new ArgumentException("Loss smoothing needs at least one loss piece.", nameof(pieces));
        if (!double.IsFinite(sigma) || sigma < 0 || (positiveSigma && sigma == 0))
            throw new ArgumentException($"σ must be a finite number {(positiveSigma ? "> 0" : "≥ 0")}, got {sigma}.", nameof(sigma));
        if (samples < 1) throw new ArgumentException($"The number of samples must be ≥ 1, got {samples}.", nameof(samples));
    }
}
