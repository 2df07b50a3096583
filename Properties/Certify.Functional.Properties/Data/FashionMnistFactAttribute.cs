using Certify.Functional.Data;

namespace Certify.Functional.Properties.Data;

/// <summary>A fact that needs the full Fashion-MNIST from Debian; skipped, with the reason, when it is not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!Directory.Exists(DatasetCatalog.FashionMnistDefaultDir))
            Skip = $"Fashion-MNIST is not installed: {DatasetCatalog.FashionMnistDefaultDir} is absent " +
                   "(apt-get install dataset-fashion-mnist)";
    }
}
