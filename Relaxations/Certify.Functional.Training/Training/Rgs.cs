using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>
/// Randomized gradient smoothing (Balauca et al. 2024, "Gaussian Loss Smoothing Enables Certified Training with Tight
/// Convex Relaxations", arXiv 2403.07095): the gradient of the smoothed loss L_σ(θ) = E_{ε~N(0,σ²I)} L(θ + ε) is
/// ∇L_σ(θ) = E_ε ∇L(θ + ε), estimated by the mean of k gradients at θ + ε_j. Unbiased for every k; first order, so the
/// loss must be differentiable almost everywhere (every relaxation of this library is). Memory: one evaluation's graph
/// at a time — each sample has its own dispose scope and only a scalar leaves it.
/// </summary>
public static class Rgs
{
    /// <summary>Leaves (1/k)·Σ_j ∇L(θ + ε_j), ε_j ~ N(0, σ²I), in every parameter's <c>.grad</c> (replacing what was
    /// there) and the parameters bit for bit as they were.</summary>
    /// <param name="parameters">Leaf tensors with requires_grad (e.g. a network's parameters), any shapes.</param>
    /// <param name="pieces">L = Σ pieces: scalar losses built on the current weights (one piece, or a batch split to
    /// bound memory). Each piece is called once per sample; its graph is backpropagated and disposed right away.</param>
    /// <param name="sigma">σ ≥ 0 per parameter element.</param>
    /// <param name="samples">k ≥ 1.</param>
    /// <param name="generator">Source of ε (seed it from (seed, step) so that a resumed run draws the same noise).</param>
    /// <returns>L(θ + ε_j) for j = 1…k.</returns>
    public static double[] Gradient(IReadOnlyList<Tensor> parameters, IReadOnlyList<Func<Tensor>> pieces, double sigma, int samples, Generator generator) =>
        Estimate(parameters, WeightNoise.Unscored(pieces), sigma, samples, generator).Losses;

    /// <summary><see cref="Gradient(IReadOnlyList{Tensor}, IReadOnlyList{Func{Tensor}}, double, int, Generator)"/> of pieces that
    /// also say something about their evaluation: every piece's value is returned, sample-major, piece-minor.</summary>
    public static Smoothed<T> Estimate<T>(IReadOnlyList<Tensor> parameters, IReadOnlyList<Func<Scored<T>>> pieces, double sigma, int samples, Generator generator)
    {
        WeightNoise.Check(parameters, pieces.Count, sigma, samples, positiveSigma: false);
        var saved = WeightNoise.Save(parameters);
        WeightNoise.ZeroGrads(parameters);
        var losses = new double[samples];
        var values = new List<T>(samples * pieces.Count);
        for (int j = 0; j < samples; j++)
        {
            using var scope = NewDisposeScope();
            var noise = WeightNoise.Draw(parameters, sigma, generator);
            losses[j] = WeightNoise.At(parameters, saved, noise, +1, () =>
            {
                double sum = 0;
                foreach (var piece in pieces)
                {
                    var (loss, value) = piece();
                    (loss / samples).backward();                 // .grad accumulates the mean over the samples
                    sum += loss.to_type(ScalarType.Float64).item<double>();
                    values.Add(value);
                }
                return sum;
            });
        }
        return new Smoothed<T>(losses, values);
    }

    /// <summary><see cref="Gradient(IReadOnlyList{Tensor}, IReadOnlyList{Func{Tensor}}, double, int, Generator)"/> of a
    /// single scalar loss.</summary>
    public static double[] Gradient(IReadOnlyList<Tensor> parameters, Func<Tensor> loss, double sigma, int samples, Generator generator) =>
        Gradient(parameters, [loss], sigma, samples, generator);
}
