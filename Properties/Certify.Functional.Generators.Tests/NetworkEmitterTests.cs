using Certify.Functional.Generators.Emit;
using Certify.Functional.Generators.Model;
using Certify.Functional.Generators.Parsing;

namespace Certify.Functional.Generators.Tests;

/// <summary>Snapshots of <see cref="NetworkEmitter.Emit"/> on hand-built specs (no Roslyn involved).</summary>
public class NetworkEmitterTests
{
    static NetworkSpec Spec(HierarchyInfo hierarchy, string type, string name, ShapeSpec input, params LayerDeclarationSpec[] layers)
    {
        var (resolved, problems) = ShapeInference.Infer(input, layers);
        Assert.Empty(problems);
        return new NetworkSpec(hierarchy, type, name, input, resolved);
    }

    static HierarchyInfo Namespace(string ns, params ContainingTypeSpec[] outer) => new(ns, outer.ToEquatableArray());

    [Fact]
    public void Fc_small()
    {
        var spec = Spec(Namespace("Certify.Functional.Samples"), "FcSmall", "FC-SMALL", ShapeSpec.Of(1, 28, 28),
            LayerDeclarationSpec.Normalize(new[] { 0.1307 }, new[] { 0.3081 }), LayerDeclarationSpec.Flatten(),
            LayerDeclarationSpec.Dense(100), LayerDeclarationSpec.Relu(),
            LayerDeclarationSpec.Dense(100), LayerDeclarationSpec.Relu(), LayerDeclarationSpec.Dense(10));
        Assert.Equal(89_610, spec.ParameterCount);
        Assert.Equal("Certify.Functional.Samples.FcSmall.g.cs", NetworkEmitter.HintName(spec));
        Snapshot.Verify(NetworkEmitter.Emit(spec), "Emitter.FcSmall");
    }

    [Fact]
    public void Conv_with_three_channel_normalization()
    {
        var spec = Spec(Namespace("Demo"), "ConvPlus32", "CONVPLUS", ShapeSpec.Of(3, 32, 32),
            LayerDeclarationSpec.Normalize(new[] { 0.4914, 0.4822, 0.4465 }, new[] { 0.2023, 0.1994, 0.2010 }),
            LayerDeclarationSpec.Conv2d(16, 4, 2, 0), LayerDeclarationSpec.Relu(),
            LayerDeclarationSpec.Conv2d(32, 4, 1, 0), LayerDeclarationSpec.Relu(), LayerDeclarationSpec.Flatten(),
            LayerDeclarationSpec.Dense(100), LayerDeclarationSpec.Relu(), LayerDeclarationSpec.Dense(10));
        Assert.Equal(470_918, spec.ParameterCount);
        Snapshot.Verify(NetworkEmitter.Emit(spec), "Emitter.ConvPlus32");
    }

    [Fact]
    public void Nested_in_global_namespace_with_odd_name()
    {
        var spec = Spec(Namespace("", new ContainingTypeSpec("class", "Outer<T>"), new ContainingTypeSpec("record struct", "Inner")),
            "Tiny", "tiny \"net\" <1>", ShapeSpec.Of(4), LayerDeclarationSpec.Dense(2));
        Assert.Equal("Outer_1.Inner.Tiny.g.cs", NetworkEmitter.HintName(spec));
        Snapshot.Verify(NetworkEmitter.Emit(spec), "Emitter.NestedGlobal");
    }

    [Fact]
    public void No_layers_returns_an_alias_of_the_input()
    {
        var spec = Spec(Namespace("Demo"), "Identity", "Identity", ShapeSpec.Of(1, 2, 2));
        string code = NetworkEmitter.Emit(spec);
        Assert.Contains("=> input.alias();", code);
        Snapshot.Verify(code, "Emitter.Identity");
    }

    [Fact]
    public void Doubles_are_invariant_round_trip_literals()
    {
        // The emitter formats with CultureInfo.InvariantCulture and "R" (the tests run with invariant globalization,
        // so this checks the format, not a culture switch).
        var spec = Spec(Namespace("Demo"), "N", "N", ShapeSpec.Of(2),
            LayerDeclarationSpec.Normalize(new[] { 0.1, 1e-7 }, new[] { 1.0 / 3, 2.5 }));
        Assert.Contains("new double[] { 0.1, 1E-07 }, new double[] { 0.3333333333333333, 2.5 }", NetworkEmitter.Emit(spec));
    }
}
