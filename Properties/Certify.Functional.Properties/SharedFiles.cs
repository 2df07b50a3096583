using Certify.Functional.Data;

namespace Certify.Functional.Properties;

/// <summary>
/// Files the repository must not carry because they come from other projects (the paper's released weights under
/// <c>reference/pretrained*</c>, the VNN-COMP benchmarks): read from the project's <c>shared/</c> folder beside the clone
/// (CI lays a copy there), or from the folder named by <c>CERTIFY_SHARED</c>. Tests that need them are
/// <see cref="SharedFactAttribute"/>/<see cref="SharedTheoryAttribute"/> and are skipped, with this reason, without it.
/// </summary>
public static class SharedFiles
{
    /// <summary>The shared folder, or null when there is none.</summary>
    public static string? Root { get; } = Find();

    /// <summary>Why tests that need it are skipped.</summary>
    public static string Absent =>
        "the paper's released networks are not in the repository; they are read from ../shared/reference beside the clone " +
        "(or $CERTIFY_SHARED), which is absent here";

    /// <summary>The released FC network <paramref name="stem"/> (e.g. "mnist_FC_box"): shared/reference/pretrained/stem.pt.</summary>
    public static string Pretrained(string stem) => Path.Combine(Root ?? "../shared", "reference", "pretrained", stem + ".pt");

    /// <summary>The released CONV network <paramref name="stem"/>: shared/reference/pretrained-conv/stem.pt.</summary>
    public static string PretrainedConv(string stem) => Path.Combine(Root ?? "../shared", "reference", "pretrained-conv", stem + ".pt");

    /// <summary>Both folders of released networks exist.</summary>
    public static bool HasPretrained => Root is not null
        && Directory.Exists(Path.Combine(Root, "reference", "pretrained")) && Directory.Exists(Path.Combine(Root, "reference", "pretrained-conv"));

    /// <summary>The VNN-COMP 2022 benchmarks (shared/vnncomp2022), or null when absent.</summary>
    public static string? VnnComp => Root is { } root && Directory.Exists(Path.Combine(root, "vnncomp2022")) ? Path.Combine(root, "vnncomp2022") : null;

    /// <summary>Why tests that need the VNN-COMP benchmarks are skipped.</summary>
    public const string VnnCompAbsent =
        "the VNN-COMP 2022 benchmarks are other projects' files, not in the repository; they are read from ../shared/vnncomp2022 " +
        "beside the clone (or $CERTIFY_SHARED/vnncomp2022), which is absent here";

    static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CERTIFY_SHARED") is { Length: > 0 } named) return Directory.Exists(named) ? Path.GetFullPath(named) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Certify.Functional.sln"))) continue;
            var shared = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
            return Directory.Exists(shared) ? shared : null;
        }
        return null;
    }

    /// <summary>The skip reason of a test that needs the released networks (and Fashion-MNIST if
    /// <paramref name="fashionMnist"/>), or null when it can run.</summary>
    public static string? SkipReason(bool fashionMnist = false) =>
        !HasPretrained ? Absent
        : fashionMnist && !Directory.Exists(DatasetCatalog.FashionMnistDefaultDir)
            ? $"Fashion-MNIST is not installed: {DatasetCatalog.FashionMnistDefaultDir} is absent (apt-get install dataset-fashion-mnist)"
            : null;
}

/// <summary>A fact that needs the paper's released networks from ../shared; skipped, with the reason, without them.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    /// <summary>Also needs Debian's Fashion-MNIST.</summary>
    public bool FashionMnist { get; set; }

    /// <inheritdoc/>
    public override string? Skip { get => base.Skip ?? SharedFiles.SkipReason(FashionMnist); set => base.Skip = value; }
}

/// <summary>A theory that needs the paper's released networks from ../shared; skipped, with the reason, without them.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    /// <summary>Also needs Debian's Fashion-MNIST.</summary>
    public bool FashionMnist { get; set; }

    /// <inheritdoc/>
    public override string? Skip { get => base.Skip ?? SharedFiles.SkipReason(FashionMnist); set => base.Skip = value; }
}

/// <summary>A fact that needs the VNN-COMP 2022 benchmarks from ../shared/vnncomp2022; skipped, with the reason, without them.</summary>
public sealed class VnnCompFactAttribute : FactAttribute
{
    /// <summary>The benchmarks' folder, or null.</summary>
    public static string? Root => SharedFiles.VnnComp;

    /// <inheritdoc/>
    public override string? Skip { get => base.Skip ?? (Root is null ? SharedFiles.VnnCompAbsent : null); set => base.Skip = value; }
}
