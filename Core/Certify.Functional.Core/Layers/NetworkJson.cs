using System.Text.Json;
using System.Text.Json.Nodes;
using Certify.Functional.Errors;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Certify.Functional.Layers;

/// <summary>
/// The layer-description JSON format of networks that were not declared at compile time:
/// <code>
/// { "name": "FC-SMALL", "input": [1, 28, 28],
///   "layers": [ { "type": "normalize", "mean": [0.1307], "std": [0.3081] }, { "type": "flatten" },
///               { "type": "dense", "out": 100 }, { "type": "relu" },
///               { "type": "conv2d", "out": 16, "kernel": 4, "stride": 2, "padding": 1 } ] }
/// </code>
/// Layer indices (and so state-dict keys <c>layers.{i}.*</c>) are positions in <c>layers</c>.
/// </summary>
public static class NetworkJson
{
    /// <summary>Parses and validates a description; every problem is reported, with the JSON path.</summary>
    public static Validation<Error, NetworkDescription> Parse(string json, string source = "<json>")
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException ex)
        {
            return Fail<Error, NetworkDescription>(Error.New(ErrorCodes.InvalidNetwork,
                $"Network description {source} is not valid JSON: {ex.Message}"));
        }
        if (root is not JsonObject obj)
            return Fail<Error, NetworkDescription>(Error.New(ErrorCodes.InvalidNetwork,
                $"Network description {source}: expected a JSON object with 'name', 'input' and 'layers'."));

        var errors = new List<Error>();
        void Bad(string message) => errors.Add(Error.New(ErrorCodes.InvalidNetwork, $"Network description {source}: {message}"));

        string name = obj["name"]?.GetValueKind() == JsonValueKind.String ? obj["name"]!.GetValue<string>() : Path.GetFileNameWithoutExtension(source);
        var input = IntArray(obj["input"]);
        if (input is null || input.Length == 0) Bad("'input' must be an array of integers such as [1, 28, 28].");

        var layers = new List<LayerDeclaration>();
        if (obj["layers"] is not JsonArray array) Bad("'layers' must be an array of layer objects.");
        else
        {
            for (int i = 0; i < array.Count; i++)
            {
                var layer = array[i] as JsonObject;
                string? type = layer?["type"]?.GetValueKind() == JsonValueKind.String ? layer["type"]!.GetValue<string>().ToLowerInvariant() : null;
                LayerDeclaration? decl = type switch
                {
                    "normalize" => DoubleArray(layer!["mean"]) is { } m && DoubleArray(layer["std"]) is { } s ? new NormalizeDeclaration(m, s) : null,
                    "flatten" => new FlattenDeclaration(),
                    "relu" => new ReluDeclaration(),
                    "dense" or "linear" => Int(layer!["out"]) is { } o ? new DenseDeclaration(o) : null,
                    "conv2d" => Int(layer!["out"]) is { } oc && Int(layer["kernel"]) is { } k
                        ? new Conv2dDeclaration(oc, k, Int(layer["stride"]) ?? 1, Int(layer["padding"]) ?? 0) : null,
                    _ => null,
                };
                if (decl is null)
                    Bad($"layers[{i}] is not a known layer. Expected one of normalize{{mean,std}}, flatten, dense{{out}}, relu, conv2d{{out,kernel,stride,padding}}; got {layer?.ToJsonString() ?? "null"}.");
                else layers.Add(decl);
            }
        }
        if (errors.Count > 0) return Fail<Error, NetworkDescription>(toSeq(errors));
        return NetworkDescription.Build(name, Shape.Of(input!), layers);
    }

    /// <summary>Reads and parses a description file.</summary>
    public static Validation<Error, NetworkDescription> Load(string path) =>
        File.Exists(path)
            ? Parse(File.ReadAllText(path), path)
            : Fail<Error, NetworkDescription>(Error.New(ErrorCodes.MissingFile,
                $"Network description '{path}' does not exist. Expected a JSON file with 'name', 'input' and 'layers'."));

    /// <summary>The description as JSON (the inverse of <see cref="Parse"/>).</summary>
    public static string ToJson(NetworkDescription description)
    {
        var layers = new JsonArray();
        foreach (var l in description.Layers)
        {
            layers.Add(l.Declaration switch
            {
                NormalizeDeclaration n => new JsonObject { ["type"] = "normalize", ["mean"] = new JsonArray(n.Mean.Select(v => (JsonNode)v).ToArray()), ["std"] = new JsonArray(n.Std.Select(v => (JsonNode)v).ToArray()) },
                DenseDeclaration d => new JsonObject { ["type"] = "dense", ["out"] = d.OutFeatures },
                Conv2dDeclaration c => new JsonObject { ["type"] = "conv2d", ["out"] = c.OutChannels, ["kernel"] = c.Kernel, ["stride"] = c.Stride, ["padding"] = c.Padding },
                _ => new JsonObject { ["type"] = l.Declaration.Kind.ToString().ToLowerInvariant() },
            });
        }
        var root = new JsonObject
        {
            ["name"] = description.Name,
            ["input"] = new JsonArray(description.Input.Dims.Select(d => (JsonNode)d).ToArray()),
            ["layers"] = layers,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    static int? Int(JsonNode? n) => n is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    static int[]? IntArray(JsonNode? n) =>
        n is JsonArray a && a.All(x => Int(x) is not null) ? a.Select(x => Int(x)!.Value).ToArray() : null;

    static double[]? DoubleArray(JsonNode? n) =>
        n is JsonArray a && a.All(x => x is JsonValue v && v.TryGetValue<double>(out _))
            ? a.Select(x => x!.GetValue<double>()).ToArray() : null;
}
