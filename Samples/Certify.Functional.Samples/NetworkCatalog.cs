using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Interpreter;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Samples;

/// <summary>One network the CLI knows by name, for one input shape.</summary>
/// <param name="Name">Registry name such as "FC-SMALL" (matched case-insensitively).</param>
/// <param name="Description">The architecture.</param>
/// <param name="Create">A fresh module with PyTorch's default initialization (seed torch first).</param>
public sealed record CatalogEntry(string Name, NetworkDescription Description, Func<NetworkModule> Create)
{
    /// <summary>Input shape of one example.</summary>
    public Shape Input => Description.Input;
}

/// <summary>The paper's networks (SPEC §5) by name and input shape.</summary>
public static class NetworkCatalog
{
    static readonly double[] MnistMean = [0.1307], MnistStd = [0.3081];
    static readonly double[] CifarMean = [0.4914, 0.4822, 0.4465], CifarStd = [0.2023, 0.1994, 0.2010];

    static CatalogEntry Interpreted(string name, Shape input, params LayerDeclaration[] layers)
    {
        var d = NetworkDescription.Declared(name, input, layers);
        return new CatalogEntry(name, d, () => new InterpretedNetwork(d));
    }

    static LayerDeclaration[] Fc(double[] mean, double[] std, params int[] widths) =>
        [new NormalizeDeclaration(mean, std), new FlattenDeclaration(),
         .. widths.SelectMany((w, i) => i < widths.Length - 1
             ? new LayerDeclaration[] { new DenseDeclaration(w), new ReluDeclaration() }
             : [new DenseDeclaration(w)])];

    static LayerDeclaration[] Conv(double[] mean, double[] std) =>
        [new NormalizeDeclaration(mean, std), new Conv2dDeclaration(16, 4, 2, 1), new ReluDeclaration(),
         new FlattenDeclaration(), new DenseDeclaration(100), new ReluDeclaration(), new DenseDeclaration(10)];

    static LayerDeclaration[] ConvPlus(double[] mean, double[] std) =>
        [new NormalizeDeclaration(mean, std), new Conv2dDeclaration(16, 4, 2, 0), new ReluDeclaration(),
         new Conv2dDeclaration(32, 4, 1, 0), new ReluDeclaration(),
         new FlattenDeclaration(), new DenseDeclaration(100), new ReluDeclaration(), new DenseDeclaration(10)];

    /// <summary>Every known network.</summary>
    public static IReadOnlyList<CatalogEntry> All { get; } =
    [
        Interpreted("FC", Shape.Of(1, 28, 28), Fc(MnistMean, MnistStd, 400, 200, 100, 100, 10)),
        Interpreted("FC-SMALL", Shape.Of(1, 28, 28), Fc(MnistMean, MnistStd, 100, 100, 10)),
        Interpreted("CONV", Shape.Of(1, 28, 28), Conv(MnistMean, MnistStd)),
        Interpreted("CONVPLUS", Shape.Of(1, 28, 28), ConvPlus(MnistMean, MnistStd)),
        Interpreted("CONV", Shape.Of(3, 32, 32), Conv(CifarMean, CifarStd)),
        Interpreted("CONVPLUS", Shape.Of(3, 32, 32), ConvPlus(CifarMean, CifarStd)),
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
