using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Samples.Networks;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Samples;

/// <summary>One network the CLI knows by name, for one input shape.</summary>
/// <param name="Name">Registry name such as "FC-SMALL" (matched case-insensitively).</param>
/// <param name="Description">The architecture.</param>
/// <param name="Create">A fresh module with PyTorch's default initialization (seed torch first).</param>
/// <param name="Trainer">The network's generated trainer entry point.</param>
public sealed record CatalogEntry(string Name, NetworkDescription Description, Func<NetworkModule> Create, Func<TrainConfig, NetworkTrainer> Trainer)
{
    /// <summary>Input shape of one example.</summary>
    public Shape Input => Description.Input;
}

/// <summary>The paper's networks (training.md §5) by name and input shape, declared in <c>Networks/</c> and expanded by the generator.</summary>
public static class NetworkCatalog
{
    /// <summary>Every known network.</summary>
    public static IReadOnlyList<CatalogEntry> All { get; } =
    [
        new CatalogEntry("FC", Fc.Architecture, () => new Fc(), Fc.Trainer),
        new CatalogEntry("FC-SMALL", FcSmall.Architecture, () => new FcSmall(), FcSmall.Trainer),
        new CatalogEntry("CONV", Conv.Architecture, () => new Conv(), Conv.Trainer),
        new CatalogEntry("CONVPLUS", ConvPlus.Architecture, () => new ConvPlus(), ConvPlus.Trainer),
        new CatalogEntry("CONV", Conv32.Architecture, () => new Conv32(), Conv32.Trainer),
        new CatalogEntry("CONVPLUS", ConvPlus32.Architecture, () => new ConvPlus32(), ConvPlus32.Trainer),
    ];

    /// <summary>Names of the known networks.</summary>
    public static IEnumerable<string> Names => All.Select(e => e.Name).Distinct();

    /// <summary>The network called <paramref name="name"/> for inputs of shape <paramref name="input"/>.</summary>
    public static Fin<CatalogEntry> Find(string name, Shape input)
    {
        var byName = All.Where(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byName.Count == 0)
            return FinFail<CatalogEntry>(Error.New(ErrorCodes.UnknownNetwork,
                $"Unknown network '{name}'. Known: {string.Join(", ", Names)}; or pass a JSON layer description with --arch FILE."));
        var entry = byName.FirstOrDefault(e => e.Input.Equals(input));
        return entry is not null
            ? FinSucc(entry)
            : FinFail<CatalogEntry>(Error.New(ErrorCodes.ShapeMismatch,
                $"Network '{name}' is declared for inputs {string.Join(" or ", byName.Select(e => e.Input))}, but the data has {input}."));
    }
}
