namespace Certify.Functional.Verification;

/// <summary>How the output specification is bounded (relaxations.md §2, §3.6).</summary>
public enum SpecKind
{
    /// <summary>Logit differences merged into the last layer ("elision", the reference's <c>--C diffs</c>).</summary>
    Diffs,
    /// <summary>Per-logit bounds, differences formed afterwards (<c>--C eye</c>).</summary>
    Eye,
}
