using Certify.Functional.Networks;
using static TorchSharp.torch;

namespace Certify.Functional.Analysis;

/// <summary>
/// Evaluates something at θ + t·d and puts θ back bit for bit: the original parameters are cloned, overwritten in place
/// (under no_grad) with θ + t·d computed in the parameters' dtype, and copied back in a <c>finally</c>, so even a throwing
/// evaluation leaves the network unchanged. The evaluation itself runs with the caller's grad mode. Not thread-safe: it
/// mutates the network for the duration of the call.
/// </summary>
internal static class WeightShift
{
    /// <summary><paramref name="evaluate"/>() at θ + <paramref name="t"/>·<paramref name="direction"/>; the caller owns
    /// the dispose scope (tensors made here belong to it).</summary>
    public static TResult At<TResult>(NetworkModule net, ParameterDirection direction, double t, Func<TResult> evaluate)
    {
        direction.CheckFits(net);
        var parameters = net.parameters().ToList();
        Tensor[] saved;
        using (no_grad())
        {
            saved = parameters.Select(p => p.detach().clone()).ToArray();
            for (int i = 0; i < parameters.Count; i++)
            {
                var d = tensor(direction.Values[i], dtype: float32).to(parameters[i].dtype, parameters[i].device).view(parameters[i].shape);
                parameters[i].copy_(saved[i] + t * d);
            }
        }
        try { return evaluate(); }
        finally
        {
            using (no_grad())
                for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(saved[i]);
        }
    }
}
