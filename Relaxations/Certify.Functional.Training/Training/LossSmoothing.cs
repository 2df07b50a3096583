using static TorchSharp.torch;

namespace Certify.Functional.Training;

/// <summary>Gaussian loss smoothing of the training loss (see <see cref="TrainConfig.Smoothing"/>), parsed once per run.</summary>
public abstract record LossSmoothing
{
    /// <summary>No smoothing: the plain gradient.</summary>
    public static LossSmoothing None { get; } = new NoSmoothing();

    /// <summary>The smoothing <paramref name="c"/> names with its σ, final σ and samples, or null for an unknown name.</summary>
    public static LossSmoothing? Parse(TrainConfig c) => ConfigNames.Smoothing(c.Smoothing) switch
    {
        SmoothingMethod.None => None,
        SmoothingMethod.Rgs => new RgsSmoothing(c.SmoothingSigma, c.SmoothingSigmaEnd, c.SmoothingSamples),
        SmoothingMethod.Pgpe => new PgpeSmoothing(c.SmoothingSigma, c.SmoothingSigmaEnd, c.SmoothingSamples),
        _ => null,
    };
}

/// <summary>No smoothing.</summary>
public sealed record NoSmoothing : LossSmoothing;

/// <summary>L_σ(θ) = E_{ε~N(0,σ²I)} L(θ + ε) (Balauca et al. 2024, arXiv 2403.07095), σ decaying linearly over the run.</summary>
/// <param name="Sigma">σ per parameter element at the start of the run.</param>
/// <param name="SigmaEnd">σ after the last step (null = constant σ).</param>
/// <param name="Samples">Perturbed gradients (RGS) or antithetic pairs (PGPE) per optimizer step.</param>
public abstract record GaussianSmoothing(double Sigma, double? SigmaEnd, int Samples) : LossSmoothing
{
    /// <summary>Leaves the estimate of ∇L_σ at σ = <paramref name="sigma"/> in every parameter's <c>.grad</c> and the
    /// parameters bit for bit as they were; returns every evaluation's loss and value, in evaluation order.</summary>
    public abstract Smoothed<T> Estimate<T>(IReadOnlyList<Tensor> parameters, IReadOnlyList<Func<Scored<T>>> pieces, double sigma, Generator noise);
}

/// <summary>Randomized gradient smoothing: the mean of <see cref="GaussianSmoothing.Samples"/> gradients at perturbed weights (<see cref="Rgs"/>).</summary>
public sealed record RgsSmoothing(double Sigma, double? SigmaEnd, int Samples) : GaussianSmoothing(Sigma, SigmaEnd, Samples)
{
    /// <inheritdoc/>
    public override Smoothed<T> Estimate<T>(IReadOnlyList<Tensor> parameters, IReadOnlyList<Func<Scored<T>>> pieces, double sigma, Generator noise) =>
        Rgs.Estimate(parameters, pieces, sigma, Samples, noise);
}

/// <summary>PGPE: a zeroth-order antithetic estimate from <see cref="GaussianSmoothing.Samples"/> pairs (<see cref="Pgpe"/>).</summary>
public sealed record PgpeSmoothing(double Sigma, double? SigmaEnd, int Samples) : GaussianSmoothing(Sigma, SigmaEnd, Samples)
{
    /// <inheritdoc/>
    public override Smoothed<T> Estimate<T>(IReadOnlyList<Tensor> parameters, IReadOnlyList<Func<Scored<T>>> pieces, double sigma, Generator noise) =>
        Pgpe.Estimate(parameters, pieces, sigma, Samples, noise);
}

/// <summary>A scalar loss built on the current weights and a value computed from the same evaluation (e.g. its statistics).</summary>
/// <param name="Loss">The scalar loss tensor (owned by the caller's dispose scope).</param>
/// <param name="Value">What the evaluation says besides the loss.</param>
public readonly record struct Scored<T>(Tensor Loss, T Value);

/// <summary>What a smoothed estimate evaluated.</summary>
/// <param name="Losses">The loss of every perturbed evaluation (Σ over the pieces).</param>
/// <param name="Values">Every piece's value, in evaluation order (evaluation-major, piece-minor).</param>
public sealed record Smoothed<T>(double[] Losses, IReadOnlyList<T> Values);
