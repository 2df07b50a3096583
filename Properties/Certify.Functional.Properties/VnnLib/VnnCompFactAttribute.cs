namespace Certify.Functional.Properties.VnnLib;

/// <summary>A fact that reads the VNN-COMP 2022 benchmarks from ../shared/vnncomp2022 (other projects' files, never in the
/// repository); skipped, with the reason, when that folder is absent.</summary>
public sealed class VnnCompFactAttribute : FactAttribute
{
    /// <summary>The benchmarks folder, or null.</summary>
    public static string? Folder { get; } =
        SharedFiles.Root is { } root && Directory.Exists(Path.Combine(root, "vnncomp2022")) ? Path.Combine(root, "vnncomp2022") : null;

    /// <inheritdoc/>
    public override string? Skip
    {
        get => base.Skip ?? (Folder is null
            ? "the VNN-COMP 2022 benchmarks are other projects' files, read from ../shared/vnncomp2022 beside the clone (or $CERTIFY_SHARED/vnncomp2022), which is absent here"
            : null);
        set => base.Skip = value;
    }
}
