using System.Globalization;
using Certify.Functional.Onnx;
using Certify.Functional.Runtime;
using Certify.Functional.VnnLib;

using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Certify.Functional.Properties.Vnn;

/// <summary>A VNN-COMP result file read back, and a <c>sat</c> answer checked by an independent runtime: ONNX Runtime
/// on the original model file, fed the printed inputs as float32, must compute the printed outputs (1e-5 relative) and
/// those outputs must satisfy a clause of a case whose box holds the inputs.</summary>
static class VnnResultFile
{
    /// <summary>The verdict (first line) and the assignments of X and Y.</summary>
    public static (string Verdict, double[] X, double[] Y) Read(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var x = new SortedDictionary<int, double>();
        var y = new SortedDictionary<int, double>();
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Trim('(', ')', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) throw new Xunit.Sdk.XunitException($"not an assignment: '{line}'");
            int index = int.Parse(parts[0][2..], CultureInfo.InvariantCulture);
            double value = double.Parse(parts[1], CultureInfo.InvariantCulture);
            (parts[0][0] == 'X' ? x : y)[index] = value;
        }
        return (lines[0], x.Values.ToArray(), y.Values.ToArray());
    }

    /// <summary>Plain model bytes (gunzipped when gzip).</summary>
    public static byte[] Plain(string path) => Gzip.Inflate(File.ReadAllBytes(path));

    /// <summary>Throws unless the <c>sat</c> result <paramref name="resultText"/> is a counterexample of
    /// <paramref name="vnnlibPath"/> on <paramref name="onnxPath"/> according to ONNX Runtime.</summary>
    public static void CheckCounterexample(string onnxPath, string vnnlibPath, string resultText)
    {
        var (verdict, x, y) = Read(resultText);
        Assert.Equal("sat", verdict);
        var imported = OnnxImport.Load(onnxPath).Match(n => n, e => throw new Xunit.Sdk.XunitException(e.Message));
        var property = VnnLibReader.Load(vnnlibPath).Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));
        foreach (var t in imported.Parameters.Values) t.Dispose();
        Assert.Equal(property.InputCount, x.Length);
        Assert.Equal(property.OutputCount, y.Length);
        var x32 = x.Select(v => (float)v).ToArray();
        Assert.Equal(x, x32.Select(v => (double)v).ToArray());                       // printed values are float32 values

        using var session = new InferenceSession(Plain(onnxPath));
        var input = NamedOnnxValue.CreateFromTensor(imported.InputName, new DenseTensor<float>(x32, imported.InputShape.Select(d => (int)d).ToArray()));
        using var results = session.Run([input]);
        var ort = results.Single(r => r.Name == imported.OutputName).AsEnumerable<float>().Select(v => (double)v).ToArray();
        for (int j = 0; j < y.Length; j++)
            Assert.True(Math.Abs(ort[j] - y[j]) <= 1e-5 * (1 + Math.Abs(ort[j])), $"Y_{j}: printed {y[j]:R}, ONNX Runtime {ort[j]:R}");

        bool holds = property.Cases.Any(c =>
            x.Select((v, i) => c.Lower[i] <= v && v <= c.Upper[i]).All(b => b)
            && c.Clauses.Any(clause => clause.Rows.All(r =>
            {
                double s = r.Coefficients.Select((a, j) => a * ort[j]).Sum();
                return r.Strict ? s < r.Bound : s <= r.Bound;
            })));
        Assert.True(holds, $"{Path.GetFileName(vnnlibPath)} on {Path.GetFileName(onnxPath)}: ONNX Runtime's outputs [{string.Join(", ", ort)}] at the printed inputs satisfy no clause of a case whose box holds them.");
    }
}
