namespace Certify.Functional.Generators.Model;

/// <summary>What the parse step yields for one declaration: the spec when it is valid (null otherwise) and every
/// problem found. The source output only sees <see cref="Spec"/>; the diagnostics output only sees
/// <see cref="Diagnostics"/> (the System.Text.Json generator's split), so either half caches on its own.</summary>
internal sealed record Result<T>(T? Spec, EquatableArray<DiagnosticInfo> Diagnostics) where T : class;
