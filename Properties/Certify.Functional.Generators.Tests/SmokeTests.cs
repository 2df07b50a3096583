namespace Certify.Functional.Generators.Tests;

public class SmokeTests
{
    [Fact] public void Generator_type_exists() => Assert.NotNull(typeof(NetworkGenerator));
}
