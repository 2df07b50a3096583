using System.Text.Json;
using Certify.Functional.Properties.Reference;
using Certify.Functional.Reports.Paradox;

namespace Certify.Functional.Properties.Reports;

/// <summary><c>certify paradox --released</c> on a subset: the paper's FC MNIST networks certified with every relaxation on
/// the first 100 test images (the reference evaluated hBox, DeepZ and CROWN on the first 500, Box and CROWN-IBP on all 2,000),
/// each cell equal to the reference implementation's per-image results, image by image, and the report and CSV written.</summary>
public sealed class ReleasedStudyTests : TorchTest
{
    [SharedFact]
    public void Released_fc_mnist_cross_matrix_equals_the_reference_image_by_image()
    {
        var dir = TempDir();
        try
        {
            var plan = new ReleasedPlan(Path.Combine(SharedFiles.Root!, "reference"), dir, 1, 0)
            {
                Only = ["mnist-fc"], Limit = 100, LpImages = 0, SkipProperties = true,
            };
            var groups = ReleasedStudy.Run(plan, null, CancellationToken.None).Match(g => g, e => throw new Xunit.Sdk.XunitException(e.Message));
            var group = Assert.Single(groups);
            Assert.Equal(6, group.Networks.Count);
            var reference = ReferenceResults.PerImage("mnist", 0.3);
            foreach (var n in group.Networks)
                foreach (var v in ReleasedStudy.Verifiers)
                {
                    var ours = group.Cells[(n.Key, v.Name)];
                    Assert.Equal(100, ours.Length);
                    var theirs = reference[$"mnist_FC_{n.Suffix}__{v.Name}"];
                    var differ = Enumerable.Range(0, 100).Where(i => (theirs[i] == 1) != ours[i]).ToList();
                    Assert.True(differ.Count == 0, $"mnist_FC_{n.Suffix} with {v.Name}: images {string.Join(", ", differ)} differ from the reference");
                }
            // Clean accuracy on all 2,000 images, as the reference's predictions.
            Assert.Equal(1779, group.Clean["box"].Correct);
            Assert.Equal(1837, group.Clean["crown-ibp-r"].Correct);
            var report = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("## Table 1, rebuilt from the released FC networks on MNIST", report);
            Assert.Contains("equal, image by image", report);
            Assert.DoesNotContain("differ", report.Replace("differ from", ""));
            var csv = File.ReadAllLines(Path.Combine(dir, "mnist-fc", "per_image.csv"));
            Assert.Equal(101, csv.Length);
            Assert.Contains("mnist_FC_crownibp1to1__crown-ibp", csv[0]);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            Assert.Equal(1, json.RootElement.GetProperty("groups").GetArrayLength());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_missing_folder_is_a_clear_error()
    {
        var plan = new ReleasedPlan(Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid()), TempDir(), 1, 0);
        var error = ReleasedStudy.Run(plan, null, CancellationToken.None).Match(_ => "", e => e.Message);
        Assert.Contains("does not exist", error);
        Assert.Contains("not in this repository", error);
    }

    [Theory]
    [InlineData(0.7, 0.75, 100, true)]
    [InlineData(0.7, 0.85, 100, false)]
    [InlineData(0.77, 0.868, 100, false)]
    [InlineData(0.0, 0.01, 100, true)]
    public void Binomial_agreement(double ours, double paper, int n, bool agrees) => Assert.Equal(agrees, ReleasedReport.Within(ours, paper, n));
}
