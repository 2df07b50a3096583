using Certify.Functional.Errors;
using Certify.Functional.Layers;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Data;

/// <summary>Assembles a <see cref="Dataset"/> from an IDX image/label pair (MNIST, Fashion-MNIST): from a directory
/// holding <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]</c>, or from the embedded MNIST subset.</summary>
static class IdxDataset
{
    /// <summary>The file stems of a split, e.g. ("train-images-idx3-ubyte", "train-labels-idx1-ubyte").</summary>
    public static (string Images, string Labels) Stems(Split split) =>
        split == Split.Train ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
                             : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /// <summary>Loads a split from <paramref name="dir"/>; <paramref name="fix"/> is the advice given when the
    /// directory or its files are missing.</summary>
    public static Fin<Dataset> FromDirectory(string name, string dir, Split split, Normalization normalization, string fix)
    {
        string[] stems = [Stems(Split.Train).Images, Stems(Split.Train).Labels, Stems(Split.Test).Images, Stems(Split.Test).Labels];
        if (!Directory.Exists(dir))
            return FinFail<Dataset>(Error.New(ErrorCodes.MissingFile,
                $"Data directory '{dir}' for dataset '{name}' does not exist. Expected a directory with " +
                $"{string.Join(", ", stems.Select(s => s + "[.gz]"))}. Fix: {fix}."));
        if (!stems.Any(s => File.Exists(Path.Combine(dir, s)) || File.Exists(Path.Combine(dir, s + ".gz"))))
            return FinFail<Dataset>(Error.New(ErrorCodes.NoDataFiles,
                $"Data directory '{dir}' for dataset '{name}' holds no IDX files: looked for " +
                $"{string.Join(", ", stems.Select(s => s + "[.gz]"))}. Fix: {fix}."));
        var (images, labels) = Stems(split);
        return from imagesPath in Resolve(dir, images, "IDX image file", fix)
               from labelsPath in Resolve(dir, labels, "IDX label file", fix)
               from pixels in Idx.ReadImages(imagesPath)
               from labelBytes in Idx.ReadLabels(labelsPath)
               from dataset in Combine(name, dir, pixels, labelBytes, normalization, imagesPath, labelsPath)
               select dataset;
    }

    /// <summary>Loads a split of the embedded 8,000/2,000 MNIST subset (resources <c>mnist-subset/*.gz</c> of this
    /// assembly; no file system access).</summary>
    public static Fin<Dataset> FromEmbedded(string name, Split split, Normalization normalization)
    {
        var (images, labels) = Stems(split);
        return from pixels in Embedded($"mnist-subset/{images}.gz", Idx.ReadImages)
               from labelBytes in Embedded($"mnist-subset/{labels}.gz", Idx.ReadLabels)
               from dataset in Combine(name, "embedded mnist-subset", pixels, labelBytes, normalization,
                                       $"embedded {images}.gz", $"embedded {labels}.gz")
               select dataset;
    }

    static Fin<T> Embedded<T>(string resource, Func<Stream, string, Fin<T>> read)
    {
        using var stream = typeof(IdxDataset).Assembly.GetManifestResourceStream(resource);
        return stream is null
            ? FinFail<T>(Error.New(ErrorCodes.MissingFile,
                $"Embedded resource '{resource}' is missing from {typeof(IdxDataset).Assembly.GetName().Name}. Expected the " +
                "MNIST subset embedded by Certify.Functional.Core.csproj. Fix: rebuild Core, or pass --data-dir with IDX files."))
            : read(stream, $"embedded {resource}");
    }

    static Fin<string> Resolve(string dir, string stem, string kind, string fix)
    {
        var raw = Path.Combine(dir, stem);
        var gz = raw + ".gz";
        return File.Exists(raw) ? FinSucc(raw)
             : File.Exists(gz) ? FinSucc(gz)
             : FinFail<string>(Error.New(ErrorCodes.MissingFile,
                 $"{kind} '{stem}[.gz]' is missing in '{dir}': expected '{raw}' or '{gz}', found neither. Fix: {fix}."));
    }

    static Fin<Dataset> Combine(string name, string source, IdxImages images, byte[] labels, Normalization normalization,
                                string imagesName, string labelsName) =>
        images.Count == labels.Length
            ? FinSucc(new Dataset(name, source, Shape.Of(1, images.Rows, images.Cols), images.Pixels, labels, normalization))
            : FinFail<Dataset>(Error.New(ErrorCodes.CountMismatch,
                $"Dataset '{name}': images and labels disagree: '{imagesName}' holds {images.Count} images vs " +
                $"{labels.Length} labels in '{labelsName}'; expected equal counts. Fix: use the images and labels files " +
                "of the same split and distribution."));
}
