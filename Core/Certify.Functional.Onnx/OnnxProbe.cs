namespace Certify.Functional.Onnx;

/// <summary>Placeholder removed by the import work.</summary>
public static class OnnxProbe
{
    /// <summary>Graph node op types of a model file.</summary>
    public static IReadOnlyList<string> OpTypes(string path)
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        return model.Graph.Node.Select(n => n.OpType).ToList();
    }
}
