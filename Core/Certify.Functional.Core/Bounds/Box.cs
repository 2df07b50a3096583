using static TorchSharp.torch;

namespace Certify.Functional.Bounds;

/// <summary>An interval element (IBP): every neuron in [Center − Radius, Center + Radius]. Shapes [B, …].
/// Holds tensors owned by the caller's dispose scope; not IDisposable.</summary>
public sealed record Box(Tensor Center, Tensor Radius)
{
    /// <summary>Lower bounds, a fresh tensor.</summary>
    public Tensor Lower => Center - Radius;
    /// <summary>Upper bounds, a fresh tensor.</summary>
    public Tensor Upper => Center + Radius;

    /// <summary>The box [lower, upper] (lower ≤ upper elementwise).</summary>
    public static Box FromBounds(Tensor lower, Tensor upper) => new((lower + upper) / 2, (upper - lower) / 2);

    /// <summary>Moves the tensors out of the current dispose scope.</summary>
    public Box MoveToOuterScope() { Center.MoveToOuterDisposeScope(); Radius.MoveToOuterDisposeScope(); return this; }
}
