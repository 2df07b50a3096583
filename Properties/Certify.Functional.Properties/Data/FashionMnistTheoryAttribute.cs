using Certify.Functional.Data;

namespace Certify.Functional.Properties.Data;

/// <summary>A theory that needs the full Fashion-MNIST from Debian; skipped, with the reason, when it is not installed.</summary>
public sealed class FashionMnistTheoryAttribute : TheoryAttribute
{
    public FashionMnistTheoryAttribute()
    {
        if (!Directory.Exists(DatasetCatalog.FashionMnistDefaultDir))
            Skip = $"Fashion-MNIST is not installed: {DatasetCatalog.FashionMnistDefaultDir} is absent " +
                   "(apt-get install dataset-fashion-mnist)";
    }
}
