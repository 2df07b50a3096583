using Certify.Functional.Data;
using Certify.Functional.Properties.Data;
using Xunit.Abstractions;

namespace Certify.Functional.Properties.Reference;

/// <summary>The six released mnist_FC_* networks on the embedded 2,000-image MNIST test subset.</summary>
public sealed class MnistReferenceParityTests(ITestOutputHelper log) : TorchTest
{
    static readonly Lazy<Dataset> Test = new(() =>
        DatasetCatalog.Load("mnist", null, Split.Test).Match(d => d, e => throw new InvalidOperationException(e.Message)));

    public static TheoryData<string, double> Cases => ReferenceCases.For("mnist");

    [SharedTheory, MemberData(nameof(Cases))]
    public void Certified_flags_and_lower_bounds_match_the_reference(string model, double eps) =>
        ReferenceParity.Assert(Test.Value, "mnist", model, eps, log);
}

/// <summary>The six released fashionmnist_FC_* networks on Debian's Fashion-MNIST test set (10,000 images), with the
/// Fashion constants 0.2861/0.3530 replacing the MNIST ones stored in the checkpoints (the reference loader's quirk).</summary>
public sealed class FashionMnistReferenceParityTests(ITestOutputHelper log) : TorchTest
{
    static readonly Lazy<Dataset> Test = new(() =>
        DatasetCatalog.Load("fashion-mnist", null, Split.Test).Match(d => d, e => throw new InvalidOperationException(e.Message)));

    public static TheoryData<string, double> Cases => ReferenceCases.For("fashionmnist");

    [SharedTheory(FashionMnist = true), MemberData(nameof(Cases))]
    public void Certified_flags_and_lower_bounds_match_the_reference(string model, double eps) =>
        ReferenceParity.Assert(Test.Value, "fashionmnist", model, eps, log);
}

static class ReferenceCases
{
    public static readonly string[] Trainings = ["box", "hbox", "zono", "crown", "crownibp1to0", "crownibp1to1"];

    public static TheoryData<string, double> For(string dataset)
    {
        var data = new TheoryData<string, double>();
        foreach (var t in Trainings)
            foreach (var eps in new[] { 0.3, 0.1 })
                data.Add($"{dataset}_FC_{t}", eps);
        return data;
    }
}
