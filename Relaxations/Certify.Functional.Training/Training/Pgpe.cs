using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>
/// PGPE, policy gradients with parameter-based exploration (Sehnke et al. 2010), as the zeroth-order optimizer of the
/// Gaussian-smoothed loss L_σ(θ) = E_{ε~N(0,σ²I)} L(θ + ε) in Balauca et al. 2024 (arXiv 2403.07095). With antithetic
/// pairs ±ε_i ~ N(0, σ²I): ĝ = 1/(2nσ²) · Σ_i ε_i·(L(θ + ε_i) − L(θ − ε_i)), an unbiased estimate of ∇L_σ(θ)
/// (Stein's lemma: ∇L_σ(θ) = E[ε·L(θ + ε)]/σ², and the pair cancels the constant part). Only loss values are used, so
/// the loss need not be differentiable (e.g. a step function, or an LP relaxation). The σ adaptation of the original
/// PGPE is not implemented: σ is the caller's (constant or scheduled). Evaluations run under no_grad, one dispose scope
/// per pair.
/// </summary>
public static class Pgpe
{
    /// <summary>Leaves ĝ in every parameter's <c>.grad</c> (replacing what was there) and the parameters bit for bit as
    /// they were.</summary>
    /// <param name="parameters">Tensors to perturb (e.g. a network's parameters), any shapes; they need not require grad.</param>
    /// <param name="pieces">L = Σ pieces: scalar losses built on the current weights; called twice per pair, no graph kept.</param>
    /// <param name="sigma">σ &gt; 0 per parameter element.</param>
    /// <param name="samples">Number of antithetic pairs n ≥ 1 (2n loss evaluations).</param>
    /// <param name="generator">Source of ε (seed it from (seed, step) so that a resumed run draws the same noise).</param>
    /// <returns>L(θ + ε_1), L(θ − ε_1), …, L(θ + ε_n), L(θ − ε_n).</returns>
    public static double[] Gradient(IReadOnlyList<Tensor> parameters, IReadOnlyList<Func<Tensor>> pieces, double sigma, int samples, Generator generator) =>
        Estimate(parameters, WeightNoise.Unscored(pieces), sigma, samples, generator).Losses;

    /// <summary><see cref="Gradient(IReadOnlyList{Tensor}, IReadOnlyList{Func{Tensor}}, double, int, Generator)"/> of pieces that
    /// also say something about their evaluation: every piece's value is returned in evaluation order (pair-major: θ + ε_i,
    /// then θ − ε_i, piece-minor).</summary>
    public static Smoothed<T> Estimate<T>(IReadOnlyList<Tensor> parameters, IReadOnlyList<Func<Scored<T>>> pieces, double sigma, int samples, Generator generator)
    {
        WeightNoise.Check(parameters, pieces.Count, sigma, samples, positiveSigma: true);
        using var _ = no_grad();
        var saved = WeightNoise.Save(parameters);
        var grads = WeightNoise.ZeroGrads(parameters);
        var losses = new double[2 * samples];
        var values = new List<T>(2 * samples * pieces.Count);
        for (int i = 0; i < samples; i++)
        {
            using var scope = NewDisposeScope();
            var noise = WeightNoise.Draw(parameters, sigma, generator);
            double plus = WeightNoise.At(parameters, saved, noise, +1, () => WeightNoise.Sum(pieces, values));
            double minus = WeightNoise.At(parameters, saved, noise, -1, () => WeightNoise.Sum(pieces, values));
            double weight = (plus - minus) / (2.0 * samples * sigma * sigma);
            for (int p = 0; p < parameters.Count; p++) grads[p].add_(noise[p], alpha: weight);
            (losses[2 * i], losses[2 * i + 1]) = (plus, minus);
        }
        return new Smoothed<T>(losses, values);
    }

    /// <summary><see cref="Gradient(IReadOnlyList{Tensor}, IReadOnlyList{Func{Tensor}}, double, int, Generator)"/> of a
    /// single scalar loss.</summary>
    public static double[] Gradient(IReadOnlyList<Tensor> parameters, Func<Tensor> loss, double sigma, int samples, Generator generator) =>
        Gradient(parameters, [loss], sigma, samples, generator);
}
