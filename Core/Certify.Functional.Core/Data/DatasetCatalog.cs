using Certify.Functional.Errors;
using Certify.Functional.Layers;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Data;

/// <summary>
/// The datasets of the paper by name (case-insensitive), with the normalization constants of training.md §4.4:
/// <list type="bullet">
/// <item><c>mnist</c>: without a data directory the embedded 8,000/2,000 subset; with one, the IDX files
/// <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]</c> in it. Mean 0.1307, std 0.3081.</item>
/// <item><c>fashion-mnist</c>: the same IDX files, by default from <see cref="FashionMnistDefaultDir"/> (Debian package
/// <c>dataset-fashion-mnist</c>). Mean 0.2861, std 0.3530.</item>
/// <item><c>cifar10</c>: the binary batches <c>data_batch_1..5.bin</c> / <c>test_batch.bin</c> in a required data
/// directory. Means (0.4914, 0.4822, 0.4465), stds (0.2023, 0.1994, 0.2010).</item>
/// </list>
/// </summary>
public static class DatasetCatalog
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the IDX files.</summary>
    public const string FashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";

    /// <summary>The known dataset names, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "fashion-mnist", "cifar10"];

    /// <summary>The normalization constants of a dataset; UnknownDataset for a name not in <see cref="Names"/>.</summary>
    public static Fin<Normalization> NormalizationOf(string name) => name.ToLowerInvariant() switch
    {
        "mnist" => FinSucc(Normalization.Gray(0.1307, 0.3081)),
        "fashion-mnist" => FinSucc(Normalization.Gray(0.2861, 0.3530)),
        "cifar10" => FinSucc(new Normalization([0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010])),
        _ => FinFail<Normalization>(Unknown(name)),
    };

    /// <summary>
    /// Loads one split of a dataset. <paramref name="dataDir"/> overrides the default location (and is required for
    /// cifar10). Failures: UnknownDataset, MissingFile, NoDataFiles, UnreadableFile, WrongMagic, TruncatedFile,
    /// CountMismatch, each naming the file and what was expected.
    /// </summary>
    public static Fin<Dataset> Load(string name, string? dataDir, Split split) =>
        LoadUnchecked(name, dataDir, split).Bind(LabelsInRange);

    /// <summary>The number of classes of every catalogue dataset (MNIST, Fashion-MNIST, CIFAR-10).</summary>
    public const int Classes = 10;

    // A label outside [0, Classes) would index past the logits (a native crash after a clean-looking accuracy): refused
    // when the data is loaded, naming the first offending example.
    static Fin<Dataset> LabelsInRange(Dataset data)
    {
        int bad = System.Array.FindIndex(data.Labels, l => l >= Classes);
        if (bad < 0) return FinSucc(data);
        int count = data.Labels.Count(l => l >= Classes);
        return FinFail<Dataset>(Error.New(ErrorCodes.LabelOutOfRange,
            $"Dataset '{data.Name}' ({data.Source}): label {data.Labels[bad]} of example {bad} is outside the {Classes} classes 0–{Classes - 1} " +
            $"({count} such label(s)). Fix: check that the labels file belongs to this dataset."));
    }

    static Fin<Dataset> LoadUnchecked(string name, string? dataDir, Split split) =>
        NormalizationOf(name).Bind(normalization => name.ToLowerInvariant() switch
        {
            "mnist" => dataDir is null
                ? IdxDataset.FromEmbedded("mnist", split, normalization)
                : IdxDataset.FromDirectory("mnist", dataDir, split, normalization,
                    "pass a --data-dir holding the MNIST IDX files, or omit --data-dir to use the embedded subset"),
            "fashion-mnist" => IdxDataset.FromDirectory("fashion-mnist", dataDir ?? FashionMnistDefaultDir, split,
                normalization, "apt-get install dataset-fashion-mnist or pass --data-dir"),
            _ => dataDir is null
                ? FinFail<Dataset>(Error.New(ErrorCodes.MissingFile,
                    "Dataset 'cifar10' has no default location: expected a --data-dir holding data_batch_1..5.bin and " +
                    "test_batch.bin, got none. Fix: download the binary version from " +
                    "https://www.cs.toronto.edu/~kriz/cifar.html and pass its directory as --data-dir."))
                : Cifar10.ReadSplit(dataDir, split).Map(batch =>
                    new Dataset("cifar10", dataDir, Shape.Of(3, 32, 32), batch.Pixels, batch.Labels, normalization)),
        });

    static Error Unknown(string name) => Error.New(ErrorCodes.UnknownDataset,
        $"Unknown dataset '{name}': expected one of {string.Join(", ", Names)}. Fix: pass one of these names.");
}
