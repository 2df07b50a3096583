namespace Certify.Functional.Generators.Model;

/// <summary>Names of the pipeline steps, for <c>WithTrackingName</c> and the incremental-caching tests.</summary>
internal static class TrackingNames
{
    /// <summary>The parsed declaration: <c>Result&lt;NetworkSpec&gt;</c>.</summary>
    public const string Parse = nameof(Parse);
    /// <summary>The diagnostics of one declaration.</summary>
    public const string Diagnostics = nameof(Diagnostics);
    /// <summary>The valid specs that source is emitted for.</summary>
    public const string Specs = nameof(Specs);

    /// <summary>Whether the compilation references the training library (the trainer entry point is emitted then).</summary>
    public const string Training = nameof(Training);

    /// <summary>Every step name above.</summary>
    public static readonly string[] All = { Parse, Diagnostics, Specs, Training };
}
