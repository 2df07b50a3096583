namespace Certify.Functional.Generators.Model;

/// <summary>One type enclosing a nested network class: its keyword ("class", "struct", "record", "record struct",
/// "interface") and its name with type parameters as declared (<c>Outer&lt;T&gt;</c>).</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);
