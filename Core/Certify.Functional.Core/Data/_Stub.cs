// TEMPORARY: signatures of the data layer being written on branch `data`; deleted at merge.
using Certify.Functional.Layers;
using LanguageExt;
using static TorchSharp.torch;
namespace Certify.Functional.Data;
#pragma warning disable CS1591
public enum Split { Train, Test }
public sealed record Normalization(IReadOnlyList<double> Mean, IReadOnlyList<double> Std);
public sealed record Dataset(string Name, Shape Shape, byte[] Pixels, byte[] Labels, Normalization Normalization)
{
    public int Count => Labels.Length;
    public (Tensor X, Tensor Y) Batch(ReadOnlySpan<int> indices, Device? device = null) => throw new NotImplementedException();
    public Dataset Take(int n) => throw new NotImplementedException();
}
public static class DatasetCatalog
{
    public static IReadOnlyList<string> Names => ["mnist", "fashion-mnist", "cifar10"];
    public static Fin<Dataset> Load(string name, string? dataDir, Split split) => throw new NotImplementedException();
}
public static class Shuffle
{
    public static int[] Permutation(int count, ulong seed, int epoch) => throw new NotImplementedException();
    public static IEnumerable<int[]> Batches(int[] order, int batchSize) => throw new NotImplementedException();
}
