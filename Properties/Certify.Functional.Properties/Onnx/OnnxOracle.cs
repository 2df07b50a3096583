using Certify.Functional.Onnx;
using Certify.Functional.Relaxations.Interpreter;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Onnx;

/// <summary>ONNX Runtime as the oracle of the import: the imported network (the interpreter, float32) and ONNX Runtime on
/// the original model must agree within 1e-5·(1 + |ort|) on every output of every input.</summary>
static class OnnxOracle
{
    /// <summary>Tolerance of one output: relative 1e-5 with an absolute floor of 1e-5.</summary>
    public static double Tolerance(double ort) => 1e-5 * (1 + Math.Abs(ort));

    /// <summary>The largest |ours − ort| / tolerance over <paramref name="count"/> seeded inputs drawn uniformly from
    /// [<paramref name="low"/>, <paramref name="high"/>] (≤ 1 passes); <paramref name="modelBytes"/> is the plain (not
    /// gzip) model. Runs our forward pass on the whole batch and ONNX Runtime on one input at a time.</summary>
    public static double WorstRatio(byte[] modelBytes, ImportedNetwork imported, int count, double low, double high, int seed, bool float64Input = false)
    {
        var rng = new Random(seed);
        int size = (int)imported.Description.Input.Size;
        var inputs = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, size).Select(_ => (float)(low + (high - low) * rng.NextDouble())).ToArray()).ToArray();

        using var network = InterpretedNetwork.FromParameters(imported.Description, imported.Parameters, "test")
            .Match(n => n, e => throw new Xunit.Sdk.XunitException(e.Message));
        float[] ours;
        using (no_grad())
        using (var x = tensor(inputs.SelectMany(v => v).ToArray(), imported.Description.Input.Batched(count)))
        using (var y = network.forward(x))
            ours = y.data<float>().ToArray();
        int outputs = ours.Length / count;

        using var session = new InferenceSession(modelBytes);
        double worst = 0;
        var dims = imported.InputShape.Select(d => (int)d).ToArray();
        for (int i = 0; i < count; i++)
        {
            var value = float64Input
                ? NamedOnnxValue.CreateFromTensor(imported.InputName, new DenseTensor<double>(inputs[i].Select(v => (double)v).ToArray(), dims))
                : NamedOnnxValue.CreateFromTensor(imported.InputName, new DenseTensor<float>(inputs[i], dims));
            using var results = session.Run([value]);
            var result = results.Single(r => r.Name == imported.OutputName);
            double[] ort = float64Input ? result.AsEnumerable<double>().ToArray() : result.AsEnumerable<float>().Select(v => (double)v).ToArray();
            Assert.Equal(outputs, ort.Length);
            for (int j = 0; j < outputs; j++)
                worst = Math.Max(worst, Math.Abs(ours[i * outputs + j] - ort[j]) / Tolerance(ort[j]));
        }
        return worst;
    }
}
