using Certify.Functional.Networks;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Training;
using static TorchSharp.torch;

namespace Certify.Functional.Analysis;

/// <summary>
/// The pure abstract loss L_abs(θ) of relaxations.md §3.6 on a fixed batch, as training computes it:
/// <see cref="CertifiedLoss.Compute(Propagators, Tensor, Tensor, LossSettings)"/>
/// with κ = 0, β = 1 (CROWN-IBP: the pure CROWN-IBP bound) and no regularizer. Each call is one unit of work with its own
/// dispose scope; only numbers and arrays leave it.
/// </summary>
public static class AbstractLoss
{
    /// <summary>L_abs at the current weights, without gradients.</summary>
    public static double Value(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Compute(net, x, y, domain, eps).to(float64).item<double>();
    }

    /// <summary>L_abs and its gradient ∇_θ L_abs (one array per parameter, see <see cref="ParameterDirection"/>). Parameters'
    /// <c>.grad</c> fields are not touched (autograd.grad, not backward). Parameters the loss does not depend on get 0.</summary>
    /// <exception cref="InvalidOperationException">The domain computes no gradient (triangle-lp).</exception>
    public static (double Loss, ParameterDirection Gradient) ValueAndGradient(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps)
    {
        if (domain is TriangleLpDomain or BabDomain)
            throw new InvalidOperationException($"Domain '{domain.Name}' computes optima without gradients; gradient-based analysis needs a differentiable domain.");
        using var scope = NewDisposeScope();
        using var _ = enable_grad();
        var named = net.named_parameters().ToList();
        var loss = Compute(net, x, y, domain, eps);
        var grads = autograd.grad([loss], named.Select(p => (Tensor)p.parameter).ToList(), allow_unused: true);
        var values = named.Select((p, i) => grads[i] is { IsInvalid: false } g
            ? g.detach().to(float32, CPU).contiguous().flatten().data<float>().ToArray()
            : new float[p.parameter.numel()]).ToList();
        return (loss.detach().to(float64).item<double>(), new ParameterDirection(named.Select(p => p.name).ToList(), values));
    }

    static Tensor Compute(NetworkModule net, Tensor x, Tensor y, Domain domain, double eps) =>
        CertifiedLoss.Compute(Propagators.For(net), x, y, new LossSettings(domain, eps, Kappa: 0, Beta: 1)).Loss;
}
