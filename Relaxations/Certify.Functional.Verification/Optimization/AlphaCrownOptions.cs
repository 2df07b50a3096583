namespace Certify.Functional.Verification.Optimization;

/// <summary>How α-CROWN optimises its lower slopes (relaxations.md §3.11's suggestion: CROWN with optimised lower slopes).</summary>
/// <param name="Steps">Gradient steps (0 = CROWN's adaptive slopes, the starting point).</param>
/// <param name="LearningRate">Step size of the first step.</param>
/// <param name="Decay">The step size is multiplied by this after every step (auto_LiRPA's default 0.98).</param>
/// <param name="Intermediate">Also optimise the slopes used for every intermediate (pre-activation) bound, layer by
/// layer, each neuron of the bounded layer a spec row of its own (per side); otherwise CROWN's intermediate bounds.</param>
/// <param name="Signed">Signed-gradient steps α ← α + lr·sign(g) instead of Adam.</param>
/// <param name="IntersectIbp">Intersect every intermediate bound with IBP's, IBP propagated from the intersected boxes
/// (as auto_LiRPA does).</param>
public sealed record AlphaCrownOptions(int Steps = 20, double LearningRate = 0.1, double Decay = 0.98, bool Intermediate = false, bool Signed = false,
    bool IntersectIbp = false)
{
    /// <summary>The defaults of the domain <c>alpha-crown</c>: 20 Adam steps of 0.1 (decay 0.98), CROWN's intermediate bounds
    /// intersected with IBP's, not optimised (measured on the paper's FC networks, relaxations.md §3.11: intermediate
    /// slopes cost ≈ 35× the time for at most one more certified image of 100 once the bounds are intersected). The
    /// record's own parameter defaults are plain α-CROWN (no intersection), as the paradox study trains with.</summary>
    public static AlphaCrownOptions Default { get; } = new(IntersectIbp: true);
}
