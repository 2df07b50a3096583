using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Samples;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

using Certify.Functional.Training;

namespace Certify.Cli;

/// <summary>Turns --net / --arch into a network for the data's input shape: a declared (generated) network from
/// the catalog, or an interpreted one from a JSON layer description.</summary>
public static class NetworkResolution
{
    /// <summary>The architecture and a factory of fresh modules.</summary>
    public static Fin<(NetworkDescription Description, Func<NetworkModule> Create)> Resolve(string net, string? archFile, Shape input)
    {
        if (archFile is null)
            return NetworkCatalog.Find(net, input).Map(e => (e.Description, e.Create));
        return NetworkJson.Load(archFile).ToFin().Bind(d => d.Input.Equals(input)
            ? FinSucc<(NetworkDescription, Func<NetworkModule>)>((d, () => new InterpretedNetwork(d)))
            : FinFail<(NetworkDescription, Func<NetworkModule>)>(Error.New(ErrorCodes.ShapeMismatch,
                $"Network description '{archFile}' expects inputs {d.Input}, but the data has {input}.")));
    }

    /// <summary>The architecture and a trainer for <paramref name="config"/>: the network's generated trainer for catalog
    /// networks, the interpreter for a JSON description.</summary>
    public static Fin<(NetworkDescription Description, NetworkTrainer Trainer)> ResolveTrainer(TrainConfig config, Shape input)
    {
        if (config.ArchitectureFile is null)
            return NetworkCatalog.Find(config.Net, input).Map(e => (e.Description, e.Trainer(config)));
        return Resolve(config.Net, config.ArchitectureFile, input).Map(r => (r.Description, NetworkTrainer.Interpreted(config, r.Create)));
    }

    /// <summary>Loads the test split, resolves the network for its input shape and loads <paramref name="model"/> into it;
    /// unless <paramref name="keepNormalization"/>, the dataset's normalization constants replace the checkpoint's.</summary>
    public static Fin<LoadedModel> LoadForEvaluation(string net, string? arch, string model, string dataset, string? dataDir, bool keepNormalization) =>
        DatasetCatalog.Load(dataset, dataDir, Split.Test).Bind(data =>
            Resolve(net, arch, data.Shape).Bind(resolved =>
            {
                var network = resolved.Create();
                return StateDict.Load(network, model).Match(
                    Succ: _ => FinSucc(new LoadedModel(data, network, resolved.Description, keepNormalization ? null : UseDatasetNormalization(network, data))),
                    Fail: e =>
                    {
                        network.Dispose();
                        return FinFail<LoadedModel>(e);
                    });
            }));

    /// <summary>Sets every Normalization layer to the dataset's constants, as the reference loader does (the
    /// released Fashion-MNIST checkpoints store MNIST constants). Returns a note when something changed.</summary>
    public static string? UseDatasetNormalization(NetworkModule network, Dataset data)
    {
        string? note = null;
        foreach (var norm in network.Normalizations)
        {
            var before = (Mean: norm.Mean.data<float>().ToArray(), Sigma: norm.Sigma.data<float>().ToArray());
            norm.SetConstants(data.Normalization.Mean, data.Normalization.Std);
            var after = norm.Mean.data<float>().ToArray();
            if (!before.Mean.SequenceEqual(after) || !before.Sigma.SequenceEqual(norm.Sigma.data<float>().ToArray()))
                note = $"normalization set to the {data.Name} constants (mean [{string.Join(", ", data.Normalization.Mean)}], " +
                       $"std [{string.Join(", ", data.Normalization.Std)}]); the network had mean [{string.Join(", ", before.Mean)}], std [{string.Join(", ", before.Sigma)}]";
        }
        return note;
    }
}

/// <summary>A checkpoint loaded for evaluation: the test set, the network with its weights, and what changed.</summary>
/// <param name="Data">The test split.</param>
/// <param name="Network">The network (the caller disposes it).</param>
/// <param name="Description">Its architecture.</param>
/// <param name="Note">A note about normalization constants replaced by the dataset's, or null.</param>
public sealed record LoadedModel(Dataset Data, NetworkModule Network, NetworkDescription Description, string? Note);

/// <summary>Small conversions between LanguageExt results.</summary>
public static class ResultExtensions
{
    /// <summary>A validation as a Fin whose error holds every failure.</summary>
    public static Fin<T> ToFin<T>(this Validation<Error, T> v) =>
        v.Match(Succ: FinSucc, Fail: errors => FinFail<T>(errors.Count == 1 ? errors.Head : Error.Many(errors)));

    /// <summary>Every value, or the first failure.</summary>
    public static Fin<IReadOnlyList<T>> Collect<T>(this IEnumerable<Fin<T>> results) =>
        results.Aggregate(FinSucc<IReadOnlyList<T>>([]), (all, result) => all.Bind(values => result.Map(value => (IReadOnlyList<T>)[.. values, value])));
}
