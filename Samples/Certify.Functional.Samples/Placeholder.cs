namespace Certify.Functional.Samples;

/// <summary>Placeholder until the declared networks land.</summary>
internal static class Placeholder { }
