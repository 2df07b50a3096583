using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;

namespace Certify.Functional.Relaxations.Ibp;

/// <summary>
/// Box (IBP) whose ReLU input bounds are refined on the way: ReLU number k hands its IBP input box to the context
/// (ordinal k, box) and continues from the box the context returns (recorded as its bounds). The walk visits the ReLUs in
/// order, so the context can compute tighter bounds for ReLU k from the refined bounds of ReLUs 0…k−1 (CROWN by
/// back-substitution) and return their intersection with the IBP box: IBP-intersected intermediate bounds, where the
/// IBP side itself starts from the intersected boxes. Sound when the context returns a sound box.
/// </summary>
public readonly struct RefinedBoxRelaxations : IForwardRelaxations<Box, Func<int, Box, Box>>
{
    /// <inheritdoc/>
    public static Box Normalize(Normalize layer, Box x) => NormalizeBox.Propagate(layer, x);

    /// <inheritdoc/>
    public static Box Flatten(Box x) => FlattenBox.Propagate(Layers.Flatten.Instance, x);

    /// <inheritdoc/>
    public static Box Dense(Dense layer, Box x) => DenseBox.Propagate(layer, x);

    /// <inheritdoc/>
    public static Box SpecDense(Dense layer, Spec spec, Box x) => SpecDenseBox.Propagate(layer, x, spec);

    /// <inheritdoc/>
    public static Box Conv2d(Conv2d layer, Box x) => Conv2dBox.Propagate(layer, x);

    /// <inheritdoc/>
    public static ReluStep<Box> Relu(Box x, Func<int, Box, Box> refine, int ordinal)
    {
        var bounds = refine(ordinal, x);
        return new(ReluBox.Propagate(Layers.Relu.Instance, bounds), bounds);
    }
}
