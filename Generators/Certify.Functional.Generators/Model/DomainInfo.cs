namespace Certify.Functional.Generators.Model;

/// <summary>A domain the generator wires layers into: relaxations <c>{Namespace}.{Stem}{Name}</c> map a
/// <see cref="ElementType"/> to a <see cref="ElementType"/>. Only the concrete domain (the forward pass) is emitted
/// today; bound domains add a row here and a method emitter (hint <c>{Namespace}.{Type}.{Name}.g.cs</c>).</summary>
internal sealed record DomainInfo(string Name, string Namespace, string ElementType)
{
    /// <summary>Points: the ordinary forward pass.</summary>
    public static DomainInfo Concrete { get; } =
        new("Concrete", "Certify.Functional.Relaxations.Concrete", "global::TorchSharp.torch.Tensor");
}
