using LanguageExt;
using LanguageExt.Common;
using Certify.Functional.Errors;
using static LanguageExt.Prelude;

namespace Certify.Functional.Layers;

/// <summary>A network as data: its name, the input shape and every layer with inferred shapes. Built and
/// checked by <see cref="Build"/>; the generator emits the same description for declared networks and the
/// interpreter runs it for networks loaded from JSON.</summary>
public sealed record NetworkDescription
{
    NetworkDescription(string name, Shape input, IReadOnlyList<ResolvedLayer> layers)
    { Name = name; Input = input; Layers = layers; }

    /// <summary>Display and registry name, e.g. "FC-SMALL".</summary>
    public string Name { get; }
    /// <summary>Shape of one input example.</summary>
    public Shape Input { get; }
    /// <summary>Layers in order; <c>Layers[i].Index == i</c>.</summary>
    public IReadOnlyList<ResolvedLayer> Layers { get; }
    /// <summary>Shape of one output (the logits).</summary>
    public Shape Output => Layers.Count == 0 ? Input : Layers[^1].Output;
    /// <summary>Trainable parameter count.</summary>
    public long ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <inheritdoc/>
    public bool Equals(NetworkDescription? other) =>
        other is not null && Name == other.Name && Input.Equals(other.Input) && Layers.SequenceEqual(other.Layers);
    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Input, Layers.Count);

    /// <summary>Infers every layer's shapes and checks the whole declaration, reporting every problem at once
    /// (shape mismatches, non-positive sizes, kernels larger than their input, bad normalization constants).</summary>
    public static Validation<Error, NetworkDescription> Build(string name, Shape input, IEnumerable<LayerDeclaration> layers)
    {
        var errors = new List<Error>();
        void Fail(int code, string message) => errors.Add(Error.New(code, message));

        if (input.Rank is not (1 or 3) || input.Dims.Any(d => d <= 0))
            Fail(ErrorCodes.InvalidNetwork, $"Network '{name}': input shape {input} is not valid. Expected [C, H, W] or [N] with every size > 0.");

        var resolved = new List<ResolvedLayer>();
        var shape = input;
        int index = 0;
        foreach (var layer in layers)
        {
            var next = Infer(name, index, layer, shape, Fail);
            resolved.Add(new ResolvedLayer(index, layer, shape, next ?? shape));
            shape = next ?? shape;
            index++;
        }
        return errors.Count == 0
            ? Success<Error, NetworkDescription>(new NetworkDescription(name, input, resolved))
            : Fail<Error, NetworkDescription>(toSeq(errors));
    }

    /// <summary>The description of a network declared at compile time (called by generated code, whose
    /// declaration the generator has already checked). Throws <see cref="InvalidOperationException"/> listing every
    /// problem if the runtime rules disagree with the generator's.</summary>
    public static NetworkDescription Declared(string name, Shape input, params LayerDeclaration[] layers) =>
        Build(name, input, layers).Match(
            Succ: d => d,
            Fail: errors => throw new InvalidOperationException(
                $"Declared network '{name}' is invalid at run time:\n  " + string.Join("\n  ", errors.Select(e => e.Message))));

    static Shape? Infer(string net, int i, LayerDeclaration layer, Shape x, Action<int, string> fail)
    {
        string where = $"Network '{net}', layer {i} ({layer.Kind})";
        switch (layer)
        {
            case NormalizeDeclaration n:
                int channels = x.Dims[0];
                if (n.Mean.Count != n.Std.Count || (n.Mean.Count != 1 && n.Mean.Count != channels))
                    fail(ErrorCodes.ShapeMismatch, $"{where}: {n.Mean.Count} means and {n.Std.Count} standard deviations for an input of {channels} channels. Expected 1 or {channels} of each.");
                if (n.Std.Any(s => !(s > 0)) || n.Mean.Any(m => double.IsNaN(m) || double.IsInfinity(m)))
                    fail(ErrorCodes.InvalidNetwork, $"{where}: standard deviations must be > 0 and means finite; got mean [{string.Join(", ", n.Mean)}], std [{string.Join(", ", n.Std)}].");
                return x;
            case FlattenDeclaration:
                return Shape.Of((int)x.Size);
            case ReluDeclaration:
                return x;
            case DenseDeclaration d:
                if (d.OutFeatures <= 0)
                    fail(ErrorCodes.InvalidNetwork, $"{where}: output size must be > 0, got {d.OutFeatures}.");
                if (!x.IsFlat)
                {
                    fail(ErrorCodes.ShapeMismatch, $"{where}: expects a flat input, but the previous layer produces {x}. Insert a Flatten before it.");
                    return null;
                }
                return Shape.Of(Math.Max(d.OutFeatures, 1));
            case Conv2dDeclaration c:
                bool ok = true;
                if (c.OutChannels <= 0 || c.Kernel <= 0 || c.Stride <= 0 || c.Padding < 0)
                {
                    fail(ErrorCodes.InvalidNetwork, $"{where}: out-channels, kernel and stride must be > 0 and padding ≥ 0; got ({c.OutChannels}, {c.Kernel}, {c.Stride}, {c.Padding}).");
                    ok = false;
                }
                if (!x.IsImage)
                {
                    fail(ErrorCodes.ShapeMismatch, $"{where}: expects a [C, H, W] input, but the previous layer produces {x}. A convolution cannot follow Flatten or Dense.");
                    return null;
                }
                if (!ok) return null;
                int h = x.Dims[1] + 2 * c.Padding, w = x.Dims[2] + 2 * c.Padding;
                if (c.Kernel > h || c.Kernel > w)
                {
                    fail(ErrorCodes.ShapeMismatch, $"{where}: kernel {c.Kernel} is larger than the padded input {h}×{w}. Use a smaller kernel or more padding.");
                    return null;
                }
                return Shape.Of(c.OutChannels, (h - c.Kernel) / c.Stride + 1, (w - c.Kernel) / c.Stride + 1);
            default:
                fail(ErrorCodes.InvalidNetwork, $"{where}: unknown layer kind.");
                return null;
        }
    }

    /// <summary>A multi-line summary: one line per layer with shapes and parameters.</summary>
    public override string ToString() =>
        $"{Name}: input {Input}, {ParameterCount:N0} parameters\n" +
        string.Join("\n", Layers.Select(l => $"  {l.Index,2}: {l} [{l.ParameterCount:N0}]"));
}
