using System.Globalization;

namespace Certify.Functional.Data;

/// <summary>The one rule for a perturbation radius ε of pixel-space data (every dataset here scales pixels to [0, 1]):
/// 0 ≤ ε ≤ 1. ε > 1 is a typo (a comma for a decimal point, a value in 0–255 units) — the ball then covers every image.</summary>
public static class PixelEpsilon
{
    /// <summary>Why <paramref name="eps"/> is not a radius, naming the option <paramref name="name"/>; null when it is.</summary>
    public static string? Problem(double eps, string name) => eps is >= 0 and <= 1
        ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"ε ({name}) must be in [0, 1] (pixel units: images are scaled to [0, 1]; for 0–255 units divide by 255), got {eps}.");
}
