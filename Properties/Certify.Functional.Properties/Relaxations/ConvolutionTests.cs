using System.Globalization;
using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Shared;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>
/// <see cref="Convolution"/> against float64 references built independently (unit images through a float64
/// <c>conv2d</c>, which no oneDNN kernel serves) on hundreds of random small shapes: the shapes on which libtorch's
/// oneDNN <c>conv_transpose2d</c> and <c>conv2d</c> input gradient return wrong float32 values on AVX-512 CPUs
/// (about 40 % of them; errors of 1–15). The tolerances are the rigorous float32 bounds of the sums involved
/// (γ_n·Σ|terms|), so no right implementation can fail them and a wrong kernel cannot pass.
/// </summary>
public sealed class ConvolutionTests(ITestOutputHelper log) : TorchTest
{
    const double Unit = 5.9604644775390625e-8;     // float32 unit roundoff

    /// <summary>A random small convolution: channels 1–4, image 3–8 (not always square), kernel 1–3, stride 1–2,
    /// padding 0–1.</summary>
    internal sealed record ConvShape(int In, int Out, int H, int W, int K, int S, int P)
    {
        public long[] InputShape => [In, H, W];
        public int OutH => (H + 2 * P - K) / S + 1;
        public int OutW => (W + 2 * P - K) / S + 1;
        public override string ToString() => $"C {In}→{Out}, {H}×{W}, k {K}, s {S}, p {P}";

        public static IEnumerable<ConvShape> Random(int count, int seed)
        {
            var rng = new Random(seed);
            while (count > 0)
            {
                var shape = new ConvShape(rng.Next(1, 5), rng.Next(1, 5), rng.Next(3, 9), rng.Next(3, 9), rng.Next(1, 4), rng.Next(1, 3), rng.Next(0, 2));
                if (shape.K > Math.Min(shape.H, shape.W) + 2 * shape.P) continue;
                count--;
                yield return shape;
            }
        }

        public Conv2d Layer(ScalarType dtype = ScalarType.Float32) =>
            new(randn(Out, In, K, K, dtype), randn(Out, dtype), S, P);
    }

    /// <summary>The float64 matrix [C'·H'·W', C·H·W] of a convolution: its columns are the images of the unit inputs
    /// under a float64 conv2d.</summary>
    static Tensor Float64Matrix(Conv2d layer, long[] inputShape)
    {
        long inputs = inputShape.Aggregate(1L, (a, b) => a * b);
        var units = eye(inputs, dtype: ScalarType.Float64).view([inputs, .. inputShape]);
        var images = nn.functional.conv2d(units, layer.Weight.to(ScalarType.Float64), null,
            strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding]);
        return images.flatten(1).t();
    }

    [Fact]
    public void The_matrix_holds_exactly_the_weights_where_a_float64_convolution_puts_them()
    {
        foreach (var shape in ConvShape.Random(100, 11))
        {
            using var scope = NewDisposeScope();
            var layer = shape.Layer();
            var ours = Convolution.Matrix(layer, shape.InputShape).to(ScalarType.Float64);
            var expected = Float64Matrix(layer, shape.InputShape);
            Assert.True(ours.shape.SequenceEqual(expected.shape), $"{shape}: shape [{string.Join(",", ours.shape)}] vs [{string.Join(",", expected.shape)}]");
            Assert.True(ours.eq(expected).all().item<bool>(), $"{shape}: the matrix differs from the float64 convolution's");
        }
    }

    [Fact]
    public void Transposition_equals_the_float64_matrix_product_on_400_random_shapes()
    {
        int checkedShapes = 0;
        double worst = 0;
        foreach (var shape in ConvShape.Random(400, 2026))
        {
            using var scope = NewDisposeScope();
            var layer = shape.Layer();
            var rng = new Random(checkedShapes);
            long s = rng.Next(1, 5), k = rng.Next(1, 11);
            var a = randn([s, k, shape.Out, shape.OutH, shape.OutW]);
            var ours = Convolution.Transpose(layer, shape.InputShape, a).to(ScalarType.Float64).view(s * k, -1);
            var m = Float64Matrix(layer, shape.InputShape);
            var a64 = a.to(ScalarType.Float64).view(s * k, -1);
            var expected = a64.matmul(m);
            // |fl(Σ a·m) − Σ a·m| ≤ γ_n Σ|a·m| with n the length of the sums (Higham §3.1), plus the float32 result's rounding.
            long n = a64.shape[1];
            var bound = a64.abs().matmul(m.abs()) * (n * Unit / (1 - n * Unit)) + expected.abs() * Unit + 1e-30;
            var excess = ((ours - expected).abs() / bound).max().item<double>();
            worst = Math.Max(worst, excess);
            Assert.True(excess <= 1, $"{shape}, A [{s}, {k}]: transposition off by {excess:G3}× its float32 error bound");
            checkedShapes++;
        }
        Assert.Equal(400, checkedShapes);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"400 shapes; largest error / bound {worst:G3}"));
    }

    [Fact]
    public void The_convolution_and_its_gradients_equal_float64_on_300_random_shapes()
    {
        int shapes = 0;
        foreach (var shape in ConvShape.Random(300, 7))
        {
            using var scope = NewDisposeScope();
            var layer = shape.Layer();
            int batch = new Random(shapes).Next(1, 41);
            var x = randn(batch, shape.In, shape.H, shape.W);
            var upstream = randn(batch, shape.Out, shape.OutH, shape.OutW);
            var (y32, gx32, gw32, gb32) = Gradients(layer, x, upstream, ScalarType.Float32);
            var (y64, gx64, gw64, gb64) = Gradients(layer, x, upstream, ScalarType.Float64);
            foreach (var (name, ours, exact) in new[] { ("output", y32, y64), ("input gradient", gx32, gx64), ("weight gradient", gw32, gw64), ("bias gradient", gb32, gb64) })
            {
                double error = (ours.to(ScalarType.Float64) - exact).abs().max().item<double>();
                double scale = exact.abs().max().item<double>();
                Assert.True(error <= 1e-4 * Math.Max(scale, 1e-6), $"{shape}, batch {batch}: {name} off by {error:G3} (largest entry {scale:G3})");
            }
            shapes++;
        }
        Assert.Equal(300, shapes);
    }

    // conv(x) through Convolution.Apply with gradients on, in the given precision; Σ upstream·y backpropagated.
    static (Tensor Y, Tensor Gx, Tensor Gw, Tensor Gb) Gradients(Conv2d layer, Tensor x, Tensor upstream, ScalarType dtype)
    {
        var w = layer.Weight.to(dtype).detach().requires_grad_(true);
        var b = layer.Bias.to(dtype).detach().requires_grad_(true);
        var input = x.to(dtype).detach().requires_grad_(true);
        var y = Convolution.Apply(layer with { Weight = w, Bias = b }, input, w, b);
        (y * upstream.to(dtype)).sum().backward();
        return (y.detach(), input.grad!, w.grad!, b.grad!);
    }

    [Fact]
    public void Without_gradients_the_convolution_is_the_same_function()
    {
        foreach (var shape in ConvShape.Random(100, 5))
        {
            using var scope = NewDisposeScope();
            var layer = shape.Layer();
            var x = randn(3, shape.In, shape.H, shape.W);
            Tensor plain;
            using (no_grad()) plain = Convolution.Apply(layer, x, layer.Weight, layer.Bias);
            var w = layer.Weight.detach().requires_grad_(true);
            var tracked = Convolution.Apply(layer, x, w, layer.Bias).detach();
            var exact = nn.functional.conv2d(x.to(ScalarType.Float64), layer.Weight.to(ScalarType.Float64), layer.Bias.to(ScalarType.Float64),
                strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding]);
            double scale = exact.abs().max().item<double>() + 1;
            Assert.True((plain.to(ScalarType.Float64) - exact).abs().max().item<double>() <= 1e-5 * scale, $"{shape}: native forward");
            Assert.True((tracked.to(ScalarType.Float64) - exact).abs().max().item<double>() <= 1e-5 * scale, $"{shape}: im2col forward");
        }
    }
}
