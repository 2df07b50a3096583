using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Certify.Functional.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Certify.Functional.Generators.Tests;

/// <summary>The pipeline caches: an unrelated edit re-runs nothing that matters, and the models hold only plain,
/// equatable data (no Roslyn objects, no reference-equal collections).</summary>
public class IncrementalTests
{
    const string Declaration = """
        using Certify.Functional;
        namespace Demo;
        [Network("FC-SMALL")] [Input(1, 28, 28)] [Normalize(0.1307, 0.3081)] [Flatten] [Dense(100)] [ReLU] [Dense(10)]
        public sealed partial class FcSmall;
        [Network] [Input(784)] [Dense(0)]
        public sealed partial class Broken;
        """;

    static GeneratorRunResult RunTwice(Func<Compilation, SyntaxTree, Compilation> edit)
    {
        var unrelated = GeneratorHarness.Parse("namespace Other; public class Unrelated { public int X => 1; }", "Unrelated.cs");
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(Declaration, "Networks.cs"), unrelated);
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        driver = driver.RunGenerators(edit(compilation, unrelated));
        return driver.GetRunResult().Results.Single();
    }

    static void AssertAllCached(GeneratorRunResult result)
    {
        foreach (var name in TrackingNames.All)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out var steps), $"No tracked step '{name}'.");
            var outputs = steps.SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"Step '{name}' produced {o.Reason} for {o.Value}."));
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Adding_an_unrelated_file_keeps_every_step_cached() =>
        AssertAllCached(RunTwice((c, _) => c.AddSyntaxTrees(GeneratorHarness.Parse("namespace Other; public class Another { }", "Another.cs"))));

    [Fact]
    public void Editing_an_unrelated_file_keeps_every_step_cached() =>
        AssertAllCached(RunTwice((c, tree) => c.ReplaceSyntaxTree(tree,
            GeneratorHarness.Parse("namespace Other; public class Unrelated { public int X => 2; public int Y => 3; }", "Unrelated.cs"))));

    [Fact]
    public void Editing_the_declaration_reruns_it()
    {
        var tree = GeneratorHarness.Parse(Declaration, "Networks.cs");
        var compilation = GeneratorHarness.Compilation(tree);
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree,
            GeneratorHarness.Parse(Declaration.Replace("[Dense(10)]", "[Dense(12)]"), "Networks.cs")));
        var specs = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Specs].SelectMany(s => s.Outputs);
        Assert.Contains(specs, o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Models_hold_only_plain_equatable_data()
    {
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(Declaration, "Networks.cs"));
        var result = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();
        int visited = 0;
        foreach (var name in TrackingNames.All)
            foreach (var output in result.TrackedSteps[name].SelectMany(s => s.Outputs))
                Walk(output.Value, name, ref visited);
        Assert.True(visited > 20, $"Only {visited} model objects were visited.");
    }

    static readonly Type[] Forbidden =
        { typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(AttributeData) };

    static void Walk(object? value, string path, ref int visited)
    {
        if (value is null) return;
        visited++;
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is string or decimal) return;
        Assert.False(Forbidden.Any(f => f.IsInstanceOfType(value)), $"{path} is a Roslyn object ({type}).");
        Assert.False(type.IsArray, $"{path} is a raw array ({type}).");
        Assert.False(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>), $"{path} is an ImmutableArray ({type}).");
        Assert.False(value is IList && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>)),
            $"{path} is a reference-equal list ({type}).");

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
        {
            int i = 0;
            foreach (var item in (IEnumerable)value) Walk(item, $"{path}[{i++}]", ref visited);
            return;
        }
        Assert.True(type.Namespace == typeof(NetworkSpec).Namespace, $"{path} has a type from outside the model ({type}).");
        Assert.True(type.IsValueType || type.IsSealed, $"{path}: model type {type} is not sealed.");
        Assert.NotNull(type.GetMethod("Equals", new[] { type }));
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                Walk(field.GetValue(value), $"{path}.{field.Name}", ref visited);
    }
}
