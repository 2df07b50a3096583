using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Pipeline;

/// <summary>
/// Training through Conv2d: the weight and input gradients of a convolutional network's loss — natural
/// cross-entropy, Box and DeepPoly — in float32 equal those of the same network in float64 within 1e-4 relative (to the
/// largest entry of each gradient), on 210 random shapes. libtorch's oneDNN input gradient of conv2d is wrong on
/// AVX-512 CPUs for about 40 % of such shapes; this test fails there if a relaxation calls it.
/// </summary>
public sealed class ConvGradientTests : TorchTest
{
    static readonly Domain Box = Domain.Parse("box").Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));
    static readonly Domain DeepPoly = Domain.Parse("deeppoly").Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));

    [Fact]
    public void Natural_box_and_deeppoly_gradients_of_conv_networks_equal_float64()
    {
        // Input 1–3 channels of 4–8 pixels, one or two Conv2d (1–4 channels, kernel 1–3, stride 1–2, padding 0–1)
        // with ReLU, then Flatten → Dense(6) → ReLU → Dense(3); batch 1–8, ε ∈ (0, 0.05).
        var rng = new Random(20261201);
        int networks = 0;
        while (networks < 210)
        {
            int c = rng.Next(1, 4), h = rng.Next(4, 9), w = rng.Next(4, 9);
            var layers = new List<LayerDeclaration>();
            int convs = rng.Next(1, 3), ch = c, hh = h, ww = w;
            bool ok = true;
            for (int i = 0; i < convs && ok; i++)
            {
                int outC = rng.Next(1, 5), k = rng.Next(1, 4), s = rng.Next(1, 3), p = rng.Next(0, 2);
                ok = k <= Math.Min(hh, ww) + 2 * p;
                layers.Add(new Conv2dDeclaration(outC, k, s, p));
                layers.Add(new ReluDeclaration());
                (ch, hh, ww) = (outC, (hh + 2 * p - k) / s + 1, (ww + 2 * p - k) / s + 1);
            }
            if (!ok) continue;
            layers.AddRange([new FlattenDeclaration(), new DenseDeclaration(6), new ReluDeclaration(), new DenseDeclaration(3)]);
            var description = NetworkDescription.Declared("grad", Shape.Of(c, h, w), [.. layers]);
            int batch = rng.Next(1, 9);
            double eps = rng.Next(1, 50) / 1000.0;
            using var scope = NewDisposeScope();
            manual_seed(networks);
            using var net32 = new InterpretedNetwork(description);
            using var net64 = new InterpretedNetwork(description);
            net64.load_state_dict(net32.state_dict());
            net64.to(ScalarType.Float64);
            var x = rand([batch, c, h, w]);
            var y = randint(0, 3, [batch]);
            foreach (var loss in new[] { "natural", "box", "deeppoly" })
            {
                var g32 = Gradients(net32, x, y, eps, loss);
                var g64 = Gradients(net64, x.to(ScalarType.Float64), y, eps, loss);
                foreach (var (name, ours) in g32)
                {
                    var exact = g64[name];
                    double error = (ours.to(ScalarType.Float64) - exact).abs().max().item<double>();
                    double scale = exact.abs().max().item<double>();
                    Assert.True(error <= 1e-4 * Math.Max(scale, 1e-6),
                        $"network {networks} ({description.Input}: {string.Join(" → ", description.Layers.Select(l => l.Declaration))}), ε {eps}, {loss}: gradient of {name} off by {error:G3} (largest entry {scale:G3})");
                }
            }
            networks++;
        }
    }

    // The gradients of the loss with respect to every parameter and to the input.
    static Dictionary<string, Tensor> Gradients(InterpretedNetwork net, Tensor x, Tensor y, double eps, string loss)
    {
        net.zero_grad();
        var input = x.detach().requires_grad_(true);
        var value = loss switch
        {
            "natural" => nn.functional.cross_entropy(net.forward(input), y),
            "box" => SpecLoss.Loss(Verifier.Bounds(net, input, y, eps, Box), y),
            _ => SpecLoss.Loss(Verifier.Bounds(net, input, y, eps, DeepPoly), y),
        };
        value.backward();
        var result = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
        result["input"] = input.grad!.detach().clone();
        return result;
    }
}
