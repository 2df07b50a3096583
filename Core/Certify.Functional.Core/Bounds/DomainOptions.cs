namespace Certify.Functional.Bounds;

/// <summary>The per-neuron ReLU transformer of the zonotope and hybrid families (relaxations.md §3.4).</summary>
public enum ZonoRelu
{
    /// <summary>DeepZ: minimal-area parallelogram, slope u/(u−l).</summary>
    DeepZ,
    /// <summary>"box": slope 0, output [0, u] for crossing neurons.</summary>
    Box,
    /// <summary>"diag": slope 1 between y = x and y = x − l.</summary>
    Diag,
    /// <summary>"diag-c": diag, and dead neurons shifted too (sound: the shift gets its own noise).</summary>
    DiagC,
    /// <summary>The reference's defective diag-c for the zono family: dead neurons shifted without a new error
    /// symbol. Unsound (relaxations.md §3.4); for reproducing the reference only, never for certification.</summary>
    DiagCDefect,
    /// <summary>"switch": diag if −l ≤ u, else box.</summary>
    Switch,
    /// <summary>Soft slope σ(γ·(l/u − u/l)) with the tight parallelogram offset.</summary>
    Soft,
}

/// <summary>Options of the zonotope and hybrid domains.</summary>
/// <param name="Relu">The ReLU transformer.</param>
/// <param name="Gamma">γ of <see cref="ZonoRelu.Soft"/>.</param>
public sealed record ZonotopeOptions(ZonoRelu Relu = ZonoRelu.DeepZ, double Gamma = 1.0);

/// <summary>Loosening of the Box domain before every ReLU (relaxations.md §3.12, Table 4).</summary>
public abstract record Loosening;

/// <summary>"C": [l, u] → [l − ω, u + ω] (continuous).</summary>
public sealed record Widen(double Omega) : Loosening;

/// <summary>"DC": l' = l − ω(⌈Wl⌉ − Wl), u' = u + ω(Wu − ⌊Wu⌋) (W discontinuities per unit).</summary>
public sealed record Round(double Omega, double PerUnit) : Loosening;

/// <summary>Options of the Box domain.</summary>
/// <param name="Loosening">Applied to the element before every ReLU, or null.</param>
public sealed record BoxOptions(Loosening? Loosening = null)
{
    /// <summary>Plain IBP.</summary>
    public static BoxOptions Plain { get; } = new();
}
