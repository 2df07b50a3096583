using Certify.Functional.Errors;
using Certify.Functional.Layers;

namespace Certify.Functional.Onnx;

/// <summary>A layer being imported: its values in float64 until the end (a constant folded into it is applied exactly once
/// more before the one rounding to float32).</summary>
abstract class LayerBuilder
{
    public abstract LayerDeclaration Declaration();

    /// <summary>The state-dict tensors of the layer: name within the layer, values row-major, shape.</summary>
    public virtual IEnumerable<(string Key, double[] Values, long[] Shape)> Tensors() => [];

    public sealed class ReLU : LayerBuilder
    {
        public override LayerDeclaration Declaration() => new ReluDeclaration();
    }

    public sealed class Flat : LayerBuilder
    {
        public override LayerDeclaration Declaration() => new FlattenDeclaration();
    }

    /// <summary>(x − mean)/std per unit (channel of an image, element of a vector), composed from Sub/Add/Mul/Div by constants.</summary>
    public sealed class Norm(int units) : LayerBuilder
    {
        readonly double[] mean = new double[units], std = Enumerable.Repeat(1.0, units).ToArray();

        public int Units => units;

        public bool IsIdentity => mean.All(m => m == 0) && std.All(s => s == 1);

        // ((x − m)/s) − c = (x − (m + c·s))/s;  ((x − m)/s) / c = (x − m)/(s·c);  × c is / (1/c).
        public void Apply(string op, double[] c, string where)
        {
            for (int u = 0; u < units; u++)
            {
                switch (op)
                {
                    case "Sub": mean[u] += c[u] * std[u]; break;
                    case "Add": mean[u] -= c[u] * std[u]; break;
                    case "Div": std[u] *= c[u]; break;
                    case "Mul": std[u] /= c[u]; break;
                }
                if (!(std[u] > 0) || !double.IsFinite(std[u]) || !double.IsFinite(mean[u]))
                    throw new OnnxImportException(ErrorCodes.OnnxUnsupported,
                        $"{where}: the input normalisation scales by a non-positive or non-finite constant ({c[u]}), which the Normalize layer (std > 0) cannot hold. Supported: {string.Join(", ", OnnxImport.SupportedOps)}.");
            }
        }

        // One value when every unit has the same constants (it broadcasts over all channels).
        bool Uniform => mean.All(m => m == mean[0]) && std.All(s => s == std[0]);

        public override LayerDeclaration Declaration() =>
            Uniform ? new NormalizeDeclaration([mean[0]], [std[0]]) : new NormalizeDeclaration(mean.ToArray(), std.ToArray());

        public override IEnumerable<(string, double[], long[])> Tensors() => Uniform
            ? [("mean", [mean[0]], [1]), ("sigma", [std[0]], [1])]
            : [("mean", mean.ToArray(), [units]), ("sigma", std.ToArray(), [units])];
    }

    /// <summary>A Dense or Conv2d: a weight with one row (output unit or channel) per output and a bias.</summary>
    public abstract class Affine(double[] weight, double[] bias, int outputs) : LayerBuilder
    {
        protected readonly double[] Weight = weight, Bias = bias;

        public int Outputs => outputs;

        // y ∘ c per output unit: + and − move the bias, × and / scale the unit's row and bias.
        public void Apply(string op, double[] c, string where)
        {
            int row = Weight.Length / outputs;
            for (int j = 0; j < outputs; j++)
            {
                double scale = op switch { "Mul" => c[j], "Div" => 1 / c[j], _ => 1 };
                if (!double.IsFinite(scale))
                    throw new OnnxImportException(ErrorCodes.OnnxUnsupported, $"{where}: a division by zero. Supported: {string.Join(", ", OnnxImport.SupportedOps)}.");
                if (op is "Add") Bias[j] += c[j];
                else if (op is "Sub") Bias[j] -= c[j];
                else
                {
                    Bias[j] = op == "Mul" ? Bias[j] * c[j] : Bias[j] / c[j];
                    for (int k = j * row; k < (j + 1) * row; k++) Weight[k] = op == "Mul" ? Weight[k] * c[j] : Weight[k] / c[j];
                }
            }
        }
    }

    public sealed class Linear(double[] weight, double[] bias, int outputs, int inputs) : Affine(weight, bias, outputs)
    {
        public override LayerDeclaration Declaration() => new DenseDeclaration(Outputs);

        public override IEnumerable<(string, double[], long[])> Tensors() =>
            [("weight", Weight, [Outputs, inputs]), ("bias", Bias, [Outputs])];
    }

    public sealed class Convolution(double[] weight, double[] bias, int outChannels, int inChannels, int kernel, int stride, int padding)
        : Affine(weight, bias, outChannels)
    {
        public int OutChannels => Outputs;
        public int Kernel => kernel;
        public int Stride => stride;
        public int Padding => padding;

        public override LayerDeclaration Declaration() => new Conv2dDeclaration(Outputs, kernel, stride, padding);

        public override IEnumerable<(string, double[], long[])> Tensors() =>
            [("weight", Weight, [Outputs, inChannels, kernel, kernel]), ("bias", Bias, [Outputs])];
    }
}
