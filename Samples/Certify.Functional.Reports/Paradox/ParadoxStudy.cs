using Certify.Functional.Runtime;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Certify.Functional.Data;
using Certify.Functional.Layers;
using Certify.Functional.Samples;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using LanguageExt;
using static LanguageExt.Prelude;
using static TorchSharp.torch;

namespace Certify.Functional.Reports.Paradox;

/// <summary>The three properties measured on one trained network with its own relaxation.</summary>
/// <param name="Tightness">Tightness score over the panel (properties.md §7.1 proxy, larger = tighter; see <see cref="ParadoxStudy"/>).</param>
/// <param name="MeanWidth">Mean width of the spec bounds over the panel.</param>
/// <param name="MeanMargin">Mean certified margin (min_j lower bound) over the panel.</param>
/// <param name="LpWidthRatio">Mean width(triangle LP) / width(relaxation) over the panel's LP images (1 = as tight as the LP), or null.</param>
/// <param name="Jumps">Discontinuities of the loss slice that persist under 10× and 100× refinement.</param>
/// <param name="LargestJump">The largest persisting jump (|ΔL|), 0 when none.</param>
/// <param name="Theory">The transformer's theoretical continuity (properties.md §7.2).</param>
/// <param name="NearSwitch">Neurons of the property batch within τ of the relaxation's switching surfaces / crossing neurons.</param>
/// <param name="Sensitivity">Ŝ = S·‖θ‖²/L at δ = 1e-3 on this network with its own relaxation (<see cref="SensitivityAtDelta.Sensitivity"/>).</param>
/// <param name="GradientLipschitz">S = E‖∇L(θ+δd) − ∇L(θ)‖/(δ‖d‖) at δ = 1e-3 (the gradient's local Lipschitz ratio).</param>
/// <param name="LossElasticity">E|ΔL|/(δL) at δ = 1e-3.</param>
/// <param name="Slice">The loss slice (t, L_abs(θ + t·d) − L_abs(θ)).</param>
public sealed record MeasuredProperties(double Tightness, double MeanWidth, double MeanMargin, double? LpWidthRatio, int Jumps, double LargestJump,
    ContinuityRow Theory, string NearSwitch, double Sensitivity, double GradientLipschitz, double LossElasticity, SliceResult Slice);

/// <summary>A row of the rebuilt Table 1.</summary>
/// <param name="Trained">Training and certification.</param>
/// <param name="Properties">The measured properties.</param>
public sealed record ParadoxRow(TrainedRelaxation Trained, MeasuredProperties Properties);

/// <summary>What the study measured: a row per relaxation and the sensitivity of every relaxation on every trained network.</summary>
/// <param name="Rows">The rows.</param>
/// <param name="Panels">Per seed: Ŝ [network][relaxation] over that seed's trained networks (the verdict's basis).</param>
public sealed record ParadoxResult(IReadOnlyList<ParadoxRow> Rows, IReadOnlyList<SensitivityPanel> Panels)
{
    /// <summary>The first seed's panel.</summary>
    public SensitivityPanel Panel => Panels.Count > 0 ? Panels[0] : new SensitivityPanel([], [], []);
    /// <summary>The seeds, in order.</summary>
    public IReadOnlyList<long> Seeds => Rows.Select(r => r.Trained.Seed).Distinct().ToList();
    /// <summary>The rows of one seed, in relaxation order.</summary>
    public IReadOnlyList<ParadoxRow> Of(long seed) => Rows.Where(r => r.Trained.Seed == seed).ToList();
}

/// <summary>
/// <c>certify paradox</c>: trains every relaxation under one schedule (<see cref="ParadoxTraining"/>), measures the three
/// properties on every trained network and rebuilds the paper's Table 1 from our own numbers.
/// <list type="bullet">
/// <item><description><b>Tightness</b> (our protocol; the paper's formula is not available): on a panel made of every
/// trained network and the first <see cref="ParadoxPlan.PropertyImages"/> test images at the study's ε, the bounds of
/// z_y − z_j of each relaxation R; score(R) = 1 / (mean over networks, images and j of u − l), larger = tighter (the
/// inverse of the mean width rather than properties.md §7.1's mean of inverses, which a collapsed network with zero-width bounds
/// makes infinite); also the mean certified margin and, on the first LP images, width(triangle LP) / width(R).</description></item>
/// <item><description><b>Continuity</b>: L_abs(θ + t·d) − L_abs(θ) of each network with its own relaxation on a fixed batch,
/// d a seeded Gaussian direction scaled per layer to ‖θ_layer‖, t ∈ [−0.02, 0.02]; jumps are differences that do not shrink
/// when refined 10× and 100× (<see cref="JumpDetector"/>), next to the transformer's theoretical continuity.</description></item>
/// <item><description><b>Sensitivity</b>: Ŝ = S·‖θ‖²/L with S = E_d ‖∇L(θ + δd) − ∇L(θ)‖/(δ‖d‖) at δ = 1e-3
/// (<see cref="Sensitivity"/>, docs/sensitivity.md), of every relaxation on every trained network (<see cref="SensitivityPanel"/>).</description></item>
/// </list>
/// </summary>
public static class ParadoxStudy
{
    const double SliceRadius = 0.02;
    static readonly ParadoxResult Empty = new([], []);
    /// <summary>τ of the switching-surface counts.</summary>
    public const double SwitchTau = 1e-2;

    /// <summary>Runs the study and writes report.md, table.md, results.json and the plots into the plan's folder.</summary>
    public static Fin<ParadoxResult> Run(ParadoxPlan plan, Func<string, IProgress<TrainProgress>?>? trainProgress, ParadoxProgress? progress,
        CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var trained = ParadoxTraining.Run(plan, trainProgress, progress, cancel);
        if (trained.IsFail) return trained.Map(_ => Empty);
        var all = trained.ThrowIfFail();
        if (cancel.IsCancellationRequested || all.Count < plan.Relaxations.Count * plan.SeedCount) return FinSucc(Empty);
        var data = StudyData.Load(plan);
        if (data.IsFail) return data.Map(_ => Empty);
        var (_, test, catalog) = (StudyData)data;
        var rows = new List<ParadoxRow>();
        var panels = new List<SensitivityPanel>();
        foreach (var seed in plan.Seeds)
        {
            var measured = MeasureSeed(plan, all.Where(r => r.Seed == seed).ToList(), test, catalog, progress, cancel);
            if (measured.IsFail) return measured.Map(_ => Empty);
            var (seedRows, panel) = ((IReadOnlyList<ParadoxRow>, SensitivityPanel?))measured;
            if (panel is null) return FinSucc(Empty);                      // interrupted
            rows.AddRange(seedRows);
            panels.Add(panel);
        }
        var result = new ParadoxResult(rows, panels);
        ParadoxReport.Write(plan, result, clock.Elapsed);
        return FinSucc(result);
    }

    // The properties of one seed's trained networks (the panel is that seed's networks).
    static Fin<(IReadOnlyList<ParadoxRow>, SensitivityPanel?)> MeasureSeed(ParadoxPlan plan, IReadOnlyList<TrainedRelaxation> runs, Dataset test,
        CatalogEntry catalog, ParadoxProgress? progress, CancellationToken cancel)
    {
        var interrupted = FinSucc<(IReadOnlyList<ParadoxRow>, SensitivityPanel?)>(([], null));
        using var guard = GcGuard.Open();
        var networks = new List<NetworkModule>();
        try
        {
            foreach (var r in runs)
            {
                var net = catalog.Create();
                networks.Add(net);
                var loaded = StateDict.Load(net, r.Model);
                if (loaded.IsFail) return loaded.Map(_ => ((IReadOnlyList<ParadoxRow>)[], (SensitivityPanel?)null));
                net.eval();
            }
            var domains = runs.Select(r => Domain.Parse(r.Relaxation.Verify).ThrowIfFail()).ToList();
            var trainDomains = runs.Select(r => Domain.Parse(r.Relaxation.Domain).ThrowIfFail()).ToList();
            var (x, y) = test.Batch(Enumerable.Range(0, plan.PropertyImages).ToArray(), CPU);
            bool dense = catalog.Description.Layers.All(l => l.Declaration.Kind is not LayerKind.Conv2d);
            int lpImages = dense ? Math.Min(plan.LpWidthImages, plan.PropertyImages) : 0;

            // Tightness: every relaxation on every trained network (the panel).
            progress?.Invoke("tightness", $"bounds of every relaxation on {networks.Count} networks × {plan.PropertyImages} images");
            // Tightness is a property of the relaxation over the panel: measured once per distinct domain (the smoothing
            // block certifies with the same domains as the plain runs).
            var distinct = domains.DistinctBy(d => d.Name).ToList();
            var widthsOf = distinct.ToDictionary(d => d.Name, _ => new List<SpecWidths>());
            var lpRatiosOf = distinct.ToDictionary(d => d.Name, _ => new List<double>());
            foreach (var net in networks)
            {
                guard.SafePoint();
                foreach (var d in distinct) widthsOf[d.Name].Add(Tightness.Measure(net, x, y, plan.Eps, d));
                if (lpImages == 0) continue;
                using var scope = NewDisposeScope();
                var (xl, yl) = (x[..lpImages], y[..lpImages]);
                var lp = Tightness.Measure(net, xl, yl, plan.Eps, Domain.TriangleLp);
                foreach (var d in distinct) lpRatiosOf[d.Name].Add(Tightness.WidthRatio(lp, Tightness.Measure(net, xl, yl, plan.Eps, d)));
            }
            var widths = domains.Select(d => widthsOf[d.Name]).ToList();
            var lpRatios = domains.Select(d => lpRatiosOf[d.Name]).ToList();

            var rows = new List<ParadoxRow>();
            for (int i = 0; i < runs.Count; i++)
            {
                if (cancel.IsCancellationRequested) return interrupted;
                var (net, domain, trainDomain, r) = (networks[i], domains[i], trainDomains[i], runs[i]);
                guard.SafePoint();
                progress?.Invoke("continuity", $"{r.Relaxation.Label}: loss slice and jumps");
                var direction = ParameterDirection.Random(net, unchecked((ulong)r.Seed) + 17);
                var slice0 = LossSlice.Function(net, x, y, trainDomain, plan.Eps, direction);
                double f(double t) { guard.SafePoint(); return slice0(t); }      // a safe point between evaluations (large networks)
                double at0 = f(0);
                var jumps = JumpDetector.Detect(f, -SliceRadius, SliceRadius, plan.SlicePoints);
                var slice = new SliceResult(jumps.T, jumps.Values.Select(v => v - at0).ToArray());
                var near = SwitchingSurfaces.Measure(net, x, y, plan.Eps, trainDomain, SwitchTau).Aggregate(SwitchCounts.Zero, (a, b) => a.Plus(b));

                guard.SafePoint();
                progress?.Invoke("sensitivity", $"{r.Relaxation.Label}: loss and gradient under small weight changes");
                var sensitivity = Sensitivity.Measure(net, x, y, trainDomain, plan.Eps,
                    new SensitivityOptions(plan.SensitivityDirections, [1e-3], unchecked((ulong)r.Seed)));
                var at = sensitivity.PerDelta[0];
                var theory = ContinuityTheory.For(trainDomain);
                rows.Add(new ParadoxRow(r, new MeasuredProperties(
                    1 / widths[i].Average(w => w.MeanWidth), widths[i].Average(w => w.MeanWidth), widths[i].Average(w => w.MeanCertifiedMargin),
                    lpRatios[i].Count > 0 ? lpRatios[i].Average() : null, jumps.Jumps.Count,
                    jumps.Jumps.Count == 0 ? 0 : jumps.Jumps.Max(j => Math.Abs(j.Size)), theory,
                    string.Create(CultureInfo.InvariantCulture, $"l≈0: {near.NearLowerZero}, u≈0: {near.NearUpperZero}, |l|≈u: {near.NearBalanced} of {near.Crossing} crossing"),
                    at.Sensitivity, at.GradientLipschitz, at.LossElasticity, slice)));
            }
            // Ŝ of every plain relaxation on every trained network: the verdict compares relaxations on the same weights.
            var plain = runs.Select((r, i) => (r, i)).Where(p => !p.r.Relaxation.Smoothed).ToList();
            var panel = SensitivityPanel.Measure(plain.Select(p => (p.r.Relaxation.Label, networks[p.i])).ToList(),
                plain.Select(p => (p.r.Relaxation.Key, trainDomains[p.i])).ToList(), x, y, plan.Eps, plan.SensitivityDirections, 1e-3,
                unchecked((ulong)runs[0].Seed), m => progress?.Invoke("sensitivity", $"panel, seed {runs[0].Seed}: {m}"));
            return FinSucc<(IReadOnlyList<ParadoxRow>, SensitivityPanel?)>((rows, panel));
        }
        finally
        {
            foreach (var n in networks) n.Dispose();
        }
    }

}
