using Certify.Functional.Onnx;
using Xunit.Abstractions;

namespace Certify.Functional.Properties.Onnx;

/// <summary>Every ONNX network of the VNN-COMP 2022 benchmarks imports, and its imported network computes what ONNX Runtime
/// computes on the original file (8 seeded inputs each).</summary>
public class OnnxVnnCompImportTests(ITestOutputHelper output) : TorchTest
{
    void ImportAndCompare(string category, double low, double high, int expectedFiles)
    {
        var files = Directory.EnumerateFiles(Path.Combine(VnnCompFactAttribute.Root!, category), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".onnx") || f.EndsWith(".onnx.gz")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedFiles, files.Count);
        int seed = 0;
        foreach (var file in files)
        {
            var imported = OnnxImport.Load(file).Match(n => n, e => throw new Xunit.Sdk.XunitException($"{file}: {e.Message}"));
            double worst = OnnxOracle.WorstRatio(Certify.Functional.Properties.Vnn.VnnResultFile.Plain(file), imported, 8, low, high, seed++);
            output.WriteLine($"{Path.GetRelativePath(VnnCompFactAttribute.Root!, file)}: input {string.Join("×", imported.InputShape)} → " +
                             $"{imported.Description.Input}, {imported.Description.Layers.Count} layers, {imported.Description.ParameterCount:N0} parameters; " +
                             $"worst |ours − ort| / tolerance {worst:G3}");
            Assert.True(worst <= 1, $"{file}: the imported network differs from ONNX Runtime by {worst:G3} × the tolerance 1e-5·(1 + |ort|)");
        }
    }

    [VnnCompFact]
    public void Test_category_networks_match_onnx_runtime() => ImportAndCompare("test", -1, 1, 5);

    [VnnCompFact]
    public void Mnist_fc_networks_match_onnx_runtime() => ImportAndCompare("mnist_fc", 0, 1, 3);

    [VnnCompFact]
    public void Acas_xu_networks_match_onnx_runtime() => ImportAndCompare("acasxu", -0.5, 0.5, 45);

    [VnnCompFact]
    public void Oval21_cifar_networks_match_onnx_runtime() => ImportAndCompare("oval21", 0, 1, 3);

    [VnnCompFact]
    public void Mnist_fc_imports_as_dense_relu_layers_with_a_flat_input()
    {
        var imported = OnnxImport.Load(Path.Combine(VnnCompFactAttribute.Root!, "mnist_fc", "onnx", "mnist-net_256x2.onnx.gz"))
            .Match(n => n, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.Equal([1L, 784, 1], imported.InputShape);
        Assert.Equal("784", imported.Description.Input.ToString());
        Assert.Equal(["Dense 784→256", "ReLU 256→256", "Dense 256→256", "ReLU 256→256", "Dense 256→10"], imported.Description.Layers.Select(l => l.ToString()));
        Assert.Equal(["layers.0.bias", "layers.0.weight", "layers.2.bias", "layers.2.weight", "layers.4.bias", "layers.4.weight"], imported.Parameters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([256L, 784], imported.Parameters["layers.0.weight"].shape);
    }
}
