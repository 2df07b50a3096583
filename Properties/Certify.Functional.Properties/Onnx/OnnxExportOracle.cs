using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Certify.Functional.Properties.Onnx;

/// <summary>ONNX Runtime as the independent oracle of the export: it evaluates an exported model, and its logits must
/// equal our forward pass within 1e-5·(1 + |z|) (float32 against float32, two different kernels).</summary>
static class OnnxExportOracle
{
    /// <summary>The output of <paramref name="model"/> (ONNX bytes) on <paramref name="x"/> [B, …] (read, not disposed),
    /// with its shape, evaluated by ONNX Runtime on one thread.</summary>
    public static (float[] Values, long[] Shape) Run(byte[] model, Tensor x)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        return Run(session, x);
    }

    /// <summary>The output of an open <paramref name="session"/> on <paramref name="x"/>.</summary>
    public static (float[] Values, long[] Shape) Run(InferenceSession session, Tensor x)
    {
        using var scope = NewDisposeScope();
        var values = x.cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var input = new DenseTensor<float>(values, x.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var output = Assert.Single(results);
        Assert.Equal("logits", output.Name);
        var tensor = output.AsTensor<float>();
        return (tensor.ToArray(), tensor.Dimensions.ToArray().Select(d => (long)d).ToArray());
    }

    /// <summary>Asserts that ONNX Runtime's output equals <paramref name="ours"/> in shape and within 1e-5·(1 + |z|).
    /// Returns the largest deviation relative to the tolerance (≤ 1 when it passes).</summary>
    public static double AssertAgrees(Tensor ours, (float[] Values, long[] Shape) theirs, string what)
    {
        Assert.Equal(ours.shape, theirs.Shape);
        var z = ours.cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        double worst = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double tolerance = 1e-5 * (1 + Math.Abs(z[i]));
            double ratio = Math.Abs(z[i] - theirs.Values[i]) / tolerance;
            Assert.True(double.IsFinite(z[i]) && ratio <= 1, $"{what}: logit {i} is {z[i]:R} (ours) but {theirs.Values[i]:R} (ONNX Runtime); tolerance {tolerance:G3}.");
            worst = Math.Max(worst, ratio);
        }
        return worst;
    }
}
