using Certify.Functional.Data;
using Certify.Functional.Samples;
using LanguageExt;

namespace Certify.Functional.Reports.Paradox;

/// <summary>The embedded MNIST subset and the study's network, loaded once per stage.</summary>
/// <param name="Train">The training split.</param>
/// <param name="Test">The test split.</param>
/// <param name="Network">The catalog entry of the plan's network.</param>
public sealed record StudyData(Dataset Train, Dataset Test, CatalogEntry Network)
{
    /// <summary>Loads the data and resolves <paramref name="plan"/>'s network for its input shape.</summary>
    public static Fin<StudyData> Load(ParadoxPlan plan) =>
        from train in DatasetCatalog.Load("mnist", null, Split.Train)
        from test in DatasetCatalog.Load("mnist", null, Split.Test)
        from network in NetworkCatalog.Find(plan.Net, train.Shape)
        select new StudyData(train, test, network);
}
