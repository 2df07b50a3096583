using Certify.Functional.Layers;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Samples;

namespace Certify.Functional.Properties.Relaxations;

public class BackSubstitutionMemoryTests
{
    static NetworkDescription Net(string name) =>
        NetworkCatalog.Find(name, Shape.Of(1, 28, 28)).Match(e => e.Description, e => throw new Xunit.Sdk.XunitException(e.Message));

    [Fact]
    public void Conv_with_batch_50_fits_the_default_budget_of_this_machine()
    {
        Assert.True(BackSubstitutionMemory.Check(Net("CONV"), 50, training: true, ibpIntermediate: false, BackSubstitutionMemory.DefaultBudget).IsSucc);
        Assert.True(BackSubstitutionMemory.Estimate(Net("CONV"), 50, training: true, ibpIntermediate: false) < 6L << 30);
    }

    [Fact]
    public void Estimate_grows_with_the_batch_and_training_needs_more()
    {
        var fc = Net("FC");
        Assert.True(BackSubstitutionMemory.Estimate(fc, 200, true, false) > BackSubstitutionMemory.Estimate(fc, 100, true, false));
        Assert.True(BackSubstitutionMemory.Estimate(fc, 100, true, false) > BackSubstitutionMemory.Estimate(fc, 100, false, false));
        Assert.True(BackSubstitutionMemory.Estimate(fc, 100, true, true) < BackSubstitutionMemory.Estimate(fc, 100, true, false));
    }

    [Fact]
    public void Over_budget_is_refused_with_a_batch_size_that_fits()
    {
        var fc = Net("FC");
        long budget = BackSubstitutionMemory.Estimate(fc, 30, training: true, ibpIntermediate: false);
        var error = BackSubstitutionMemory.Check(fc, 100, true, false, budget).Match(_ => throw new Xunit.Sdk.XunitException("expected a refusal"), e => e);
        Assert.Contains("Use a batch size of at most 30", error.Message);
        Assert.Contains("FC with batch 100", error.Message);
        Assert.True(BackSubstitutionMemory.Check(fc, 30, true, false, budget).IsSucc);
    }
}
