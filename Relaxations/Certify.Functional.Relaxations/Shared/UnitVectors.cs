using static TorchSharp.torch;

namespace Certify.Functional.Relaxations.Shared;

/// <summary>One-hot inputs for mapping diagonal generators through layers that are not plain matrices
/// (convolutions): k unit "images" of the given neuron shape.</summary>
public static class UnitVectors
{
    /// <summary>[k, …shape] with a 1 at flattened position <c>positions[j]</c> in row j.</summary>
    public static Tensor OneHot(Tensor positions, long[] shape, ScalarType dtype, Device device)
    {
        long k = positions.shape[0];
        long size = shape.Aggregate(1L, (a, b) => a * b);
        var flat = zeros([k, size], dtype, device);
        flat = flat.scatter(1, positions.unsqueeze(1), ones([k, 1], dtype, device));
        return flat.view([k, .. shape]);
    }
}
