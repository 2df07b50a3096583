using System.Globalization;
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
    public static Fin<(NetworkDescription Description, Func<NetworkModule> Create)> Resolve(string net, string? archFile, Shape input,
        int bytesPerParameter = EvaluationBytesPerParameter)
    {
        if (archFile is null)
            return NetworkCatalog.Find(net, input).Bind(e => Usable(e.Description, net, bytesPerParameter).Map(_ => (e.Description, e.Create)));
        return NetworkJson.Load(archFile).ToFin().Bind(d => d.Input.Equals(input)
            ? Usable(d, archFile, bytesPerParameter).Map(_ => (d, (Func<NetworkModule>)(() => new InterpretedNetwork(d))))
            : FinFail<(NetworkDescription, Func<NetworkModule>)>(Error.New(ErrorCodes.ShapeMismatch,
                $"Network description '{archFile}' expects inputs {d.Input}, but the data has {input}.")));
    }

    /// <summary>Bytes per parameter of verification: the float32 network and its float64 copy (the final check).</summary>
    public const int EvaluationBytesPerParameter = 12;
    /// <summary>Bytes per parameter of training with Adam: weights, gradients and two moments, float32.</summary>
    public const int TrainingBytesPerParameter = 16;

    // What would otherwise fail deep inside libtorch, refused before anything is allocated: no layers, an output size
    // other than the datasets' ten classes, more parameters than the machine's memory holds.
    static Fin<LanguageExt.Unit> Usable(NetworkDescription d, string source, int bytesPerParameter)
    {
        if (d.Layers.Count == 0)
            return FinFail<LanguageExt.Unit>(Error.New(ErrorCodes.InvalidNetwork, $"Network '{source}' has no layers. Expected at least one layer (e.g. Flatten, Dense 10)."));
        if (d.Output.Size != DatasetCatalog.Classes)
            return FinFail<LanguageExt.Unit>(Error.New(ErrorCodes.ClassCountMismatch,
                $"Network '{source}' has {d.Output.Size} outputs ({d.Output}), but the datasets have {DatasetCatalog.Classes} classes. Fix: end the network with a layer of {DatasetCatalog.Classes} outputs."));
        double need = (double)d.ParameterCount * bytesPerParameter, have = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > have)
            return FinFail<LanguageExt.Unit>(Error.New(ErrorCodes.TooLarge, string.Create(CultureInfo.InvariantCulture,
                $"Network '{source}' has {d.ParameterCount:N0} parameters: {need / (1L << 30):N1} GiB at {bytesPerParameter} bytes per parameter, but this machine has {have / (1L << 30):N1} GiB. Use a smaller network.")));
        return FinSucc(LanguageExt.Prelude.unit);
    }

    /// <summary>The architecture and a trainer for <paramref name="config"/>: the network's generated trainer for catalog
    /// networks, the interpreter for a JSON description.</summary>
    public static Fin<(NetworkDescription Description, NetworkTrainer Trainer)> ResolveTrainer(TrainConfig config, Shape input)
    {
        if (config.ArchitectureFile is null)
            return NetworkCatalog.Find(config.Net, input).Bind(e => Usable(e.Description, config.Net, TrainingBytesPerParameter).Map(_ => (e.Description, e.Trainer(config))));
        return Resolve(config.Net, config.ArchitectureFile, input, TrainingBytesPerParameter).Map(r => (r.Description, NetworkTrainer.Interpreted(config, r.Create)));
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
