using System.Globalization;
using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Onnx;
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
        if (OnnxImport.IsOnnxPath(archFile))
            return OnnxImport.Load(archFile).Bind(i => i.ForInput(input, archFile)).Bind(i =>
                Usable(i.Description, archFile, bytesPerParameter).Map(_ => (i.Description, (Func<NetworkModule>)(() => new InterpretedNetwork(i.Description)))));
        return NetworkJson.Load(archFile).ToFin().Bind(d => d.Input.Equals(input)
            ? Usable(d, archFile, bytesPerParameter).Map(_ => (d, (Func<NetworkModule>)(() => new InterpretedNetwork(d))))
            : FinFail<(NetworkDescription, Func<NetworkModule>)>(Error.New(ErrorCodes.ShapeMismatch,
                $"Network description '{archFile}' expects inputs {d.Input}, but the data has {input}.")));
    }

    /// <summary>The network of a model file and how its weights load: for an ONNX file (<c>.onnx</c>, <c>.onnx.gz</c>) the
    /// architecture and weights come from the file (a flat network takes the data's images behind a leading Flatten), and
    /// <paramref name="net"/> (when <paramref name="netGiven"/>) or <paramref name="archFile"/> must name the same architecture;
    /// otherwise --net/--arch give the architecture and the file is a PyTorch state dict.</summary>
    public static Fin<ResolvedModel> ResolveModel(string net, bool netGiven, string? archFile, string model, Shape input,
        int bytesPerParameter = EvaluationBytesPerParameter)
    {
        if (!OnnxImport.IsOnnxPath(model))
            return Resolve(net, archFile, input, bytesPerParameter).Map(r => new ResolvedModel(r.Description, r.Create, n => StateDict.Load(n, model), false));
        return from imported in OnnxImport.Load(model)
               from fitted in imported.ForInput(input, model)
               from same in SameArchitecture(fitted, net, netGiven, archFile, input, model)
               from usable in Usable(fitted.Description, model, bytesPerParameter)
               select new ResolvedModel(fitted.Description, () => new InterpretedNetwork(fitted.Description),
                   n => StateDict.Copy(n, fitted.Parameters, $"ONNX file '{model}'"), true);
    }

    /// <summary>An ONNX file carries its architecture: a --net or --arch given beside it must describe the same layers.</summary>
    public static Fin<LanguageExt.Unit> SameArchitecture(ImportedNetwork fromFile, string net, bool netGiven, string? archFile, Shape input, string model)
    {
        if (archFile is null && !netGiven) return FinSucc(LanguageExt.Prelude.unit);
        var (option, given) = archFile is not null ? ($"--arch {archFile}", Resolve(net, archFile, input)) : ($"--net {net}", Resolve(net, null, input));
        return given.Bind(g => fromFile.HasArchitectureOf(g.Description)
            ? FinSucc(LanguageExt.Prelude.unit)
            : FinFail<LanguageExt.Unit>(Error.New(ErrorCodes.InvalidConfig,
                $"{option} is not the network in the ONNX file '{model}' ({ImportedNetwork.Summary(g.Description)} against the file's " +
                $"{ImportedNetwork.Summary(fromFile.Description)}). An ONNX file carries its architecture: drop the option.")));
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
    /// unless <paramref name="keepNormalization"/>, the dataset's normalization constants replace the checkpoint's.
    /// An ONNX model keeps its own normalisation (it is part of the model's graph).</summary>
    public static Fin<LoadedModel> LoadForEvaluation(string net, string? arch, string model, string dataset, string? dataDir, bool keepNormalization,
        bool netGiven = false) =>
        DatasetCatalog.Load(dataset, dataDir, Split.Test).Bind(data =>
            ResolveModel(net, netGiven, arch, model, data.Shape).Bind(resolved =>
            {
                var network = resolved.Create();
                keepNormalization |= resolved.Onnx;
                return resolved.LoadWeights(network).Match(
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

/// <summary>The network behind a model file (<see cref="NetworkResolution.ResolveModel"/>).</summary>
/// <param name="Description">Its architecture.</param>
/// <param name="Create">A fresh module of it.</param>
/// <param name="LoadWeights">Loads the file's weights into such a module.</param>
/// <param name="Onnx">The file is an ONNX model (its normalisation is its own: never replaced by the dataset's).</param>
public sealed record ResolvedModel(NetworkDescription Description, Func<NetworkModule> Create, Func<NetworkModule, Fin<LanguageExt.Unit>> LoadWeights, bool Onnx);

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
