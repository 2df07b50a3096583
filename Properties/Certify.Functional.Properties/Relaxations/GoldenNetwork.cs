using Certify.Functional.Layers;
using Certify.Functional.Relaxations.Interpreter;
using TorchSharp;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Relaxations;

/// <summary>The network of soundness.md §13: Linear(4,5) → ReLU → Linear(5,5) → ReLU → Linear(5,10), no normalization,
/// W_i[r][c] = sin((r·n_in + c + 1) + 0.37·i), b_i[r] = 0.1·cos((r + 1) + 0.5·i) (float64, then float32);
/// input [0.2, 0.5, 0.7, 0.9], label 3, ε 0.1.</summary>
public static class GoldenNetwork
{
    public static readonly NetworkDescription Description = NetworkDescription.Declared("golden", Shape.Of(4),
        new DenseDeclaration(5), new ReluDeclaration(), new DenseDeclaration(5), new ReluDeclaration(), new DenseDeclaration(10));

    public const double Eps = 0.1;

    public static InterpretedNetwork Create()
    {
        var net = new InterpretedNetwork(Description);
        int[] dense = [0, 2, 4];
        using (no_grad())
        {
            for (int i = 0; i < dense.Length; i++)
            {
                var layer = net.DenseAt(dense[i]);
                long nOut = layer.Weight.shape[0], nIn = layer.Weight.shape[1];
                var w = new float[nOut * nIn];
                var b = new float[nOut];
                for (long r = 0; r < nOut; r++)
                {
                    for (long c = 0; c < nIn; c++) w[r * nIn + c] = (float)Math.Sin((r * nIn + c + 1) + 0.37 * i);
                    b[r] = (float)(0.1 * Math.Cos((r + 1) + 0.5 * i));
                }
                layer.Weight.copy_(tensor(w).view(nOut, nIn));
                layer.Bias.copy_(tensor(b));
            }
        }
        return net;
    }

    /// <summary>A domain by name (fails the test on a parse error).</summary>
    public static Certify.Functional.Verification.Domains.Domain Domain(string name) =>
        Certify.Functional.Verification.Domains.Domain.Parse(name).Match(d => d, e => throw new Xunit.Sdk.XunitException(e.Message));

    /// <summary>Asserts every value of <paramref name="actual"/> is within <paramref name="tol"/> of <paramref name="expected"/>.</summary>
    public static void Close(double[] expected, Tensor actual, double tol, string what)
    {
        var a = actual.to(float64).flatten().data<double>().ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - expected[i]) <= tol, $"{what}[{i}]: expected {expected[i]}, got {a[i]}");
    }

    public static Tensor Input() => tensor(new float[] { 0.2f, 0.5f, 0.7f, 0.9f }).view(1, 4);
    public static Tensor Label() => tensor(new long[] { 3 });
}
