namespace Certify.Functional.Properties.Laws;

/// <summary>All bound laws run in one xunit collection: sequentially, on one thread, so their time is the time of one
/// core and seeded torch state is never shared between two running tests.</summary>
[CollectionDefinition(Name)]
public sealed class LawCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Bound laws";
}
