using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using static TorchSharp.torch;
using Certify.Functional.Bounds;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>IBP, Dense (Gowal et al. 2018; relaxations.md §3.3): center c Wᵀ + b, radius r |W|ᵀ. Sound: for |x − c| ≤ r,
/// |W(x − c)| ≤ |W| r. Shapes [B, in] → [B, out]; W may be per example [B, out, in] (merged specification).</summary>
public static class DenseBox
{
    /// <summary>The image of <paramref name="x"/> under <paramref name="layer"/>.</summary>
    public static Box Propagate(Dense layer, Box x) => new(Affine.Linear(layer, x.Center), Affine.LinearAbs(layer, x.Radius));
}
