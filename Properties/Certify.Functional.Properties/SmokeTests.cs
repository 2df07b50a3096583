using TorchSharp;

namespace Certify.Functional.Properties;

public class SmokeTests
{
    [Fact] public void Torch_loads() { using var t = torch.ones(2); Assert.Equal(2f, t.sum().item<float>()); }
}
