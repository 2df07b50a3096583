using Microsoft.CodeAnalysis;

namespace Certify.Functional.Generators
{
    /// <summary>Placeholder; the real pipeline is written in the generator work item.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetworkGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context) { }
    }
}
