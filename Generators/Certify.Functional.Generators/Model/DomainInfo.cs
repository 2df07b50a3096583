namespace Certify.Functional.Generators.Model;

/// <summary>A domain the generator wires layers into: relaxations <c>{Namespace}.{Stem}{Name}</c> map a
/// <see cref="ElementType"/> to a <see cref="ElementType"/>. The concrete domain is the forward pass; the bound
/// domains of <see cref="BoundDomainInfo"/> each get a propagation method in <c>{Namespace}.{Type}.{Name}.g.cs</c>.</summary>
internal sealed record DomainInfo(string Name, string Namespace, string ElementType)
{
    /// <summary>Points: the ordinary forward pass.</summary>
    public static DomainInfo Concrete { get; } =
        new("Concrete", "Certify.Functional.Relaxations.Concrete", "global::TorchSharp.torch.Tensor");
}

/// <summary>
/// A bound domain's method: how ReLU steps and the specification are wired. Templates use <c>$x</c> (the previous
/// local), <c>$pre</c> (the ReLU's bounds local) and <c>$k</c> (the ReLU's ordinal). All math stays in the modules.
/// </summary>
/// <param name="Domain">Relaxation namespace, name suffix and element type.</param>
/// <param name="Method">The generated method's name.</param>
/// <param name="Interface">The interface the method implements (runtime dispatch picks it up).</param>
/// <param name="Parameters">The parameters after the input element.</param>
/// <param name="ReluBounds">The pre-activation bounds the ReLU uses (recorded in the result).</param>
/// <param name="ReluCall">The ReLU relaxation call.</param>
/// <param name="Summary">What the method computes, for its doc comment.</param>
/// <param name="SpecDenseCall">The last Dense layer <c>$layer</c> with the specification merged in, applied to <c>$x</c>;
/// null: the domain's Dense relaxation of <c>SpecLayer.Merge($layer, spec)</c>.</param>
internal sealed record BoundDomainInfo(DomainInfo Domain, string Method, string Interface, string Parameters, string ReluBounds, string ReluCall, string Summary,
    string? SpecDenseCall = null)
{
    const string Bounds = "global::Certify.Functional.Bounds";
    const string Domains = "global::Certify.Functional.Relaxations.Domains";

    /// <summary>Every bound domain emitted for a declared network (mirrors Relaxations' propagator interfaces and
    /// <c>InterpretedPropagation</c>; tests assert both agree).</summary>
    public static readonly BoundDomainInfo[] All =
    {
        new(new DomainInfo("Box", "Certify.Functional.Relaxations.Ibp", $"{Bounds}.Box"), "PropagateBox", $"{Domains}.IBoxPropagator",
            $"{Bounds}.BoxOptions options, {Bounds}.Spec spec",
            "global::Certify.Functional.Relaxations.Ibp.LooseBox.Apply(options.Loosening, $x)",
            "global::Certify.Functional.Relaxations.Ibp.ReluBox.Propagate(global::Certify.Functional.Layers.Relu.Instance, $pre)",
            "Interval bound propagation (IBP), the loosening of the options applied before every ReLU",
            "global::Certify.Functional.Relaxations.Ibp.SpecDenseBox.Propagate($layer, $x, spec)"),
        new(new DomainInfo("Zonotope", "Certify.Functional.Relaxations.DeepZ", $"{Bounds}.Zonotope"), "PropagateZonotope", $"{Domains}.IZonotopePropagator",
            $"{Bounds}.ZonotopeOptions options, {Bounds}.Spec spec, global::System.Collections.Generic.IReadOnlyList<{Bounds}.Box>? reluBounds",
            "reluBounds?[$k] ?? $x.Concretize()",
            "global::Certify.Functional.Relaxations.DeepZ.ReluZonotope.Propagate(options, $x, $pre)",
            "Zonotope propagation (DeepZ family), the ReLU case split on the given ReLU bounds when present"),
        new(new DomainInfo("Hybrid", "Certify.Functional.Relaxations.Hybrid", $"{Bounds}.HybridZonotope"), "PropagateHybrid", $"{Domains}.IHybridPropagator",
            $"{Bounds}.ZonotopeOptions options, {Bounds}.Spec spec",
            "$x.Concretize()",
            "global::Certify.Functional.Relaxations.Hybrid.ReluHybrid.Propagate(options, $x, $pre)",
            "Hybrid-zonotope propagation (hBox family)"),
    };
}
