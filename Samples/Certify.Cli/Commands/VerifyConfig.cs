using Certify.Functional.Errors;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Training;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Cli.Commands;

/// <summary>What <c>certify verify</c> was asked to do.</summary>
public sealed record VerifyConfig
{
    /// <summary>Catalog network name.</summary>
    public string Net { get; init; } = "FC";
    /// <summary>--net was given (not its default): with an ONNX model it must name the file's architecture.</summary>
    public bool NetGiven { get; init; }
    /// <summary>JSON layer description instead of <see cref="Net"/>.</summary>
    public string? ArchitectureFile { get; init; }
    /// <summary>Checkpoint (.pt state dict).</summary>
    public string Model { get; init; } = "";
    /// <summary>ε in pixel units.</summary>
    public double Eps { get; init; } = 0.3;
    /// <summary>Domain names as given (comma separated on the command line).</summary>
    public IReadOnlyList<string> Domains { get; init; } = ["box"];
    /// <summary>Certify only the first N test images.</summary>
    public int? Limit { get; init; }
    /// <summary>Images per certification batch.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>Dataset name.</summary>
    public string Dataset { get; init; } = "mnist";
    /// <summary>Dataset folder override.</summary>
    public string? DataDir { get; init; }
    /// <summary>diffs (elision) or eye.</summary>
    public string Spec { get; init; } = "diffs";
    /// <summary>Keep the checkpoint's normalization constants.</summary>
    public bool KeepNormalization { get; init; }
    /// <summary>Output folder; null: a new one under runs/ (<see cref="OutputFolders.ForModel"/>).</summary>
    public string? OutDir { get; init; }
    /// <summary>Start over in an output folder that holds a verify run with another configuration.</summary>
    public bool Force { get; init; }
    /// <summary>Intra-op threads.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Device name.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Confirm float32 certificates in float64 (<c>FinalCheck</c>); off: the float32 flags alone, as the reference.</summary>
    public bool Float64Check { get; init; } = true;

    /// <summary>The parsed, sound domains and the spec kind, or every problem found.</summary>
    public static Validation<Error, (Seq<Domain> Domains, SpecKind Kind)> Validate(VerifyConfig c)
    {
        var errors = new List<Error>();
        void Check(bool ok, string message) { if (!ok) errors.Add(Error.New(ErrorCodes.InvalidConfig, message)); }

        var domains = new List<Domain>();
        foreach (var name in c.Domains)
            Domain.Parse(name).Match(
                Succ: d =>
                {
                    if (d.Unsoundness is { } why) errors.Add(Error.New(ErrorCodes.InvalidConfig, why));
                    else domains.Add(d);
                },
                Fail: e => errors.Add(e));
        Check(c.Domains.Count > 0, "No domain given. Pass --domains, e.g. box,hbox,zono.");
        Check(c.Domains.Distinct(StringComparer.OrdinalIgnoreCase).Count() == c.Domains.Count,
            $"Domain list '{string.Join(",", c.Domains)}' names a domain twice. List each domain once.");
        Check(c.Eps >= 0 && double.IsFinite(c.Eps), $"ε must be ≥ 0 (pixel units, inputs in [0, 1]), got {c.Eps}.");
        Check(c.BatchSize > 0, $"Batch size must be > 0, got {c.BatchSize}.");
        Check(c.Limit is null or > 0, $"--limit must be > 0, got {c.Limit}.");
        Check(c.Threads > 0, $"Threads must be > 0, got {c.Threads}.");
        var spec = ConfigNames.Spec(c.Spec);
        Check(spec is not null, $"--spec must be diffs or eye, got '{c.Spec}'.");
        Check(c.OutDir is null || !string.IsNullOrWhiteSpace(c.OutDir), "Output folder (--out) must not be empty.");
        return errors.Count == 0 && spec is { } kind
            ? Success<Error, (Seq<Domain>, SpecKind)>((toSeq(domains), kind))
            : Fail<Error, (Seq<Domain>, SpecKind)>(toSeq(errors));
    }
}
