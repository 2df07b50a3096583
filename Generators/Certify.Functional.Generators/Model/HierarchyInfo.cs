using System.Linq;

namespace Certify.Functional.Generators.Model;

/// <summary>Where the network class lives: its namespace ("" for the global namespace) and the types enclosing
/// it, outermost first, so that the generated partial can be reopened at the same place.</summary>
internal sealed record HierarchyInfo(string Namespace, EquatableArray<ContainingTypeSpec> ContainingTypes)
{
    /// <summary>The hint-name prefix: namespace and enclosing types joined by dots (type arguments dropped).</summary>
    public string QualifiedPrefix =>
        string.Join(".", new[] { Namespace }.Concat(ContainingTypes.Select(t => StripTypeParameters(t.Name))).Where(s => s.Length > 0));

    static string StripTypeParameters(string name)
    {
        int lt = name.IndexOf('<');
        return lt < 0 ? name : name.Substring(0, lt) + "_" + (name.Count(c => c == ',') + 1);
    }
}
