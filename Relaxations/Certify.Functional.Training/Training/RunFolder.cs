using System.Text.Json;
using System.Text.Json.Nodes;

namespace Certify.Functional.Training;

/// <summary>What an output folder holds before a training run writes into it.</summary>
public abstract record FolderState
{
    private FolderState() { }

    /// <summary>Nothing a run writes (the folder may not exist, or holds only other files).</summary>
    public sealed record Free : FolderState;

    /// <summary>A training run that can be continued from <paramref name="Point"/>.</summary>
    public sealed record HoldsRun(ResumePoint Point) : FolderState;

    /// <summary>Files a run writes (<paramref name="Files"/>) but no usable checkpoint (<paramref name="Why"/>).</summary>
    public sealed record Unusable(IReadOnlyList<string> Files, string Why) : FolderState;
}

/// <summary>
/// A training run's output folder: what it holds (<see cref="Inspect"/>), whether a stored configuration is the same run
/// as a requested one (<see cref="Differences"/>: every setting but the output folder and the thread count, which change
/// neither the data order nor a single number), and, for <c>--force</c>, removing the files a run writes and nothing else.
/// </summary>
public static class RunFolder
{
    /// <summary>The files and folders a training run writes into its output folder.</summary>
    public static readonly IReadOnlyList<string> Outputs = ["checkpoints", "model.pt", "results.json", "summary.md", "per_image.csv", "architecture.json"];

    /// <summary>What <paramref name="folder"/> holds.</summary>
    public static FolderState Inspect(string folder)
    {
        var present = Outputs.Where(name => File.Exists(Path.Combine(folder, name)) || Directory.Exists(Path.Combine(folder, name))).ToList();
        if (present.Count == 0) return new FolderState.Free();
        return Checkpoint.Resolve(folder).Match<FolderState>(
            Succ: point => new FolderState.HoldsRun(point),
            Fail: e => new FolderState.Unusable(present, e.Message));
    }

    /// <summary>The settings in which <paramref name="requested"/> differs from <paramref name="stored"/>, as
    /// "name: stored → requested" (empty: the same run).</summary>
    public static IReadOnlyList<string> Differences(TrainConfig stored, TrainConfig requested)
    {
        var a = Normal(stored);
        var b = Normal(requested);
        return a.Select(p => p.Key).Union(b.Select(p => p.Key))
            .Where(key => !JsonNode.DeepEquals(a[key], b[key]))
            .Select(key => $"{key}: {Text(a[key])} → {Text(b[key])}")
            .ToList();
    }

    /// <summary>The same run (<see cref="Differences"/> is empty).</summary>
    public static bool SameRun(TrainConfig stored, TrainConfig requested) => Differences(stored, requested).Count == 0;

    /// <summary>Removes the files a run writes from <paramref name="folder"/> (<see cref="Outputs"/>), nothing else.</summary>
    public static void Clear(string folder)
    {
        foreach (var name in Outputs)
        {
            var path = Path.Combine(folder, name);
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
    }

    static JsonObject Normal(TrainConfig c)
    {
        var node = JsonSerializer.SerializeToNode(c with { OutDir = "", Threads = 1, InitFrom = c.InitFrom is { } f ? Path.GetFullPath(f) : null }, RunReport.Json)!.AsObject();
        node.Remove("outDir");
        node.Remove("threads");
        return node;
    }

    static string Text(JsonNode? node) => node is null ? "(none)" : node.ToJsonString();
}
