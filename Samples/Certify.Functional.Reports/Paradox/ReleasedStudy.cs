using Certify.Functional.Runtime;
using Certify.Functional.Runtime.Cluster;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Certify.Functional.Data;
using Certify.Functional.Errors;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Training;
using Certify.Functional.Analysis;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Domains;
using Certify.Functional.Verification;
using Certify.Functional.Samples;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;
using static TorchSharp.torch;

namespace Certify.Functional.Reports.Paradox;

/// <summary>A network of the paper's release: file stem suffix, the relaxation it was trained with and its own verifier.</summary>
/// <param name="Suffix">File name suffix (<c>{dataset}_{arch}_{suffix}.pt</c>).</param>
/// <param name="Key">The relaxation's key in the study (as <see cref="ParadoxPlan.Table1"/>; "crown-ibp" = the β 1→0 method).</param>
/// <param name="Label">The paper's name.</param>
/// <param name="Own">The verifier it is certified with (the paper's protocol; CROWN-IBP the method ends as IBP: Box).</param>
/// <param name="Loss">The domain of its final training loss (continuity and sensitivity are measured in it).</param>
public sealed record ReleasedNetwork(string Suffix, string Key, string Label, string Own, string Loss);

/// <summary>A verifier of the cross matrix: the reference's column name, the domain, and its certification batch size.</summary>
/// <param name="Name">Column name in the reference's per-image CSV (box, hbox, zono, deeppoly, crown-ibp).</param>
/// <param name="Key">The relaxation's key in the study.</param>
/// <param name="Slow">Certified on the slow sample only (back-substitution or input-error matrices).</param>
/// <param name="Batch">Batch size (zonotopes are fastest in small batches).</param>
public sealed record ReleasedVerifier(string Name, string Key, bool Slow, int Batch);

/// <summary>What <c>certify paradox --released</c> runs: the paper's released networks certified with their own and every other
/// relaxation, the exact LP on a sample of the FC ones, and the three properties measured on them. Sample sizes are bounded so
/// that the whole study takes minutes on 2 cores; every size is stated in the report.</summary>
/// <param name="Folder">Folder with the weights: <c>pretrained/</c> and <c>pretrained-conv/</c> below it, or the .pt files themselves.</param>
/// <param name="OutDir">Output folder.</param>
/// <param name="Threads">Torch threads.</param>
/// <param name="Seed">Seed of the directions of the property measurements.</param>
public sealed record ReleasedPlan(string Folder, string OutDir, int Threads, long Seed)
{
    /// <summary>ε of every certification (the networks were trained at 0.3).</summary>
    public double Eps { get; init; } = 0.3;
    /// <summary>Images of the fast verifiers (Box, CROWN-IBP) on MNIST (null = the whole embedded test set, 2,000).</summary>
    public int? FastImages { get; init; }
    /// <summary>Images of the fast verifiers on Fashion-MNIST (FC; CONV uses <see cref="FashionConvFastImages"/>).</summary>
    public int FashionFastImages { get; init; } = 10_000;
    /// <summary>Images of the fast verifiers on Fashion-MNIST CONV networks.</summary>
    public int FashionConvFastImages { get; init; } = 2_000;
    /// <summary>Images of hBox, DeepZ and CROWN on FC networks (the reference's 500 at ε 0.3 on MNIST).</summary>
    public int SlowImagesFc { get; init; } = 500;
    /// <summary>Images of hBox, DeepZ and CROWN on Fashion-MNIST FC networks.</summary>
    public int FashionSlowImagesFc { get; init; } = 200;
    /// <summary>Images of hBox, DeepZ and CROWN on CONV networks.</summary>
    public int SlowImagesConv { get; init; } = 100;
    /// <summary>Cap of the slow verifiers on networks trained with another relaxation (the off-diagonal of the cross matrix).</summary>
    public int SlowCrossImages { get; init; } = 100;
    /// <summary>Images certified with the exact triangle LP per FC network (MNIST).</summary>
    public int LpImages { get; init; } = 5;
    /// <summary>Images of the property batch on FC networks.</summary>
    public int PropertyImagesFc { get; init; } = 20;
    /// <summary>Images of the property batch on CONV networks.</summary>
    public int PropertyImagesConv { get; init; } = 5;
    /// <summary>Grid points of each loss slice.</summary>
    public int SlicePoints { get; init; } = 61;
    /// <summary>Random directions of the sensitivity measure.</summary>
    public int SensitivityDirections { get; init; } = 4;
    /// <summary>Caps every image count (a quick look, and the tests); null = the sizes above.</summary>
    public int? Limit { get; init; }
    /// <summary>Groups to run ("mnist-fc", "mnist-conv", "fashionmnist-fc", "fashionmnist-conv"); empty = every group whose files exist.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];
    /// <summary>Skip the property measurements (certification only).</summary>
    public bool SkipProperties { get; init; }

    int Cap(int n) => Limit is { } l ? Math.Min(n, l) : n;

    /// <summary>Images of verifier <paramref name="v"/> in group <paramref name="kind"/> with <paramref name="available"/> test images.</summary>
    public int Images(ReleasedKind kind, ReleasedVerifier v, int available, bool own = true) => Cap(Math.Min(available, Math.Min(v.Slow && !own ? SlowCrossImages : int.MaxValue, (kind.Mnist, kind.FullyConnected, v.Slow) switch
    {
        (true, _, false) => FastImages ?? available,
        (false, true, false) => FashionFastImages,
        (false, false, false) => FashionConvFastImages,
        (true, true, true) => SlowImagesFc,
        (false, true, true) => FashionSlowImagesFc,
        _ => SlowImagesConv,
    })));

    /// <summary>Property-batch size of <paramref name="kind"/>.</summary>
    public int PropertyImages(ReleasedKind kind) => Cap(kind.FullyConnected ? PropertyImagesFc : PropertyImagesConv);

    /// <summary>LP images of a group (FC MNIST only: the LP is fully connected only and takes seconds per image).</summary>
    public int LpImagesOf(ReleasedKind kind) => kind == ReleasedKind.MnistFc ? Cap(LpImages) : 0;
}

/// <summary>A group of the released networks: a dataset and an architecture, named as the reference's files are.</summary>
/// <param name="Dataset">"mnist" or "fashionmnist" (the reference's file names).</param>
/// <param name="Arch">"FC" or "CONV".</param>
/// <param name="Catalog">The dataset's name in <see cref="DatasetCatalog"/>.</param>
/// <param name="Mnist">MNIST (else Fashion-MNIST).</param>
/// <param name="FullyConnected">The FC networks (else CONV).</param>
public sealed record ReleasedKind(string Dataset, string Arch, string Catalog, bool Mnist, bool FullyConnected)
{
    /// <summary>MNIST, fully connected.</summary>
    public static ReleasedKind MnistFc { get; } = new("mnist", "FC", "mnist", true, true);
    /// <summary>MNIST, convolutional.</summary>
    public static ReleasedKind MnistConv { get; } = new("mnist", "CONV", "mnist", true, false);
    /// <summary>Fashion-MNIST, fully connected.</summary>
    public static ReleasedKind FashionFc { get; } = new("fashionmnist", "FC", "fashion-mnist", false, true);
    /// <summary>Fashion-MNIST, convolutional.</summary>
    public static ReleasedKind FashionConv { get; } = new("fashionmnist", "CONV", "fashion-mnist", false, false);

    /// <summary>"mnist-fc" etc.</summary>
    public string Name => $"{Dataset}-{Arch.ToLowerInvariant()}";
}

/// <summary>One group's measurements: a dataset and an architecture, its networks, the cross matrix and the properties.</summary>
/// <param name="Kind">The dataset and architecture.</param>
/// <param name="Networks">The networks found, in <see cref="ReleasedStudy.Networks"/> order.</param>
/// <param name="Clean">Clean accuracy per network (correct, total).</param>
/// <param name="Cells">Certified flags per (network key, verifier name).</param>
/// <param name="Lp">Exact-LP certified count per network key (FC MNIST), of <see cref="LpImages"/>.</param>
/// <param name="LpImages">Images certified with the LP.</param>
/// <param name="Tightness">1 / mean width of the spec bounds per verifier key, over the group's networks and the property batch.</param>
/// <param name="Slices">Per network key: the loss slice's persisting jumps and the largest.</param>
/// <param name="Panel">Ŝ of every relaxation on every network.</param>
/// <param name="Seconds">Wall time of the group.</param>
public sealed record ReleasedGroup(ReleasedKind Kind, IReadOnlyList<ReleasedNetwork> Networks, IReadOnlyDictionary<string, (int Correct, int Total)> Clean,
    IReadOnlyDictionary<(string Network, string Verifier), bool[]> Cells, IReadOnlyDictionary<string, int> Lp, int LpImages,
    IReadOnlyDictionary<string, double> Tightness, IReadOnlyDictionary<string, (int Jumps, double Largest)> Slices, SensitivityPanel? Panel, double Seconds)
{
    /// <summary>"mnist" or "fashionmnist".</summary>
    public string Dataset => Kind.Dataset;
    /// <summary>"FC" or "CONV".</summary>
    public string Arch => Kind.Arch;
    /// <summary>"mnist-fc" etc.</summary>
    public string Name => Kind.Name;
    /// <summary>Certified count and images of (network, verifier), or null.</summary>
    public (int Certified, int Images)? Cell(string network, string verifier) =>
        Cells.TryGetValue((network, verifier), out var f) ? (f.Count(c => c), f.Length) : null;
    /// <summary>The network's own certification.</summary>
    public (int Certified, int Images)? Own(ReleasedNetwork n) => Cell(n.Key, n.Own);
}

/// <summary>
/// <c>certify paradox --released</c>: the paper's study on the paper's released weights. For every group (MNIST and, when
/// Debian's dataset-fashion-mnist is installed, Fashion-MNIST; FC and CONV) each network is certified at ε 0.3 with every
/// relaxation (the cross matrix; per-image CSVs in the reference's column convention), the FC MNIST ones also with the exact
/// triangle LP on a few images, and on a fixed batch the three properties are measured: tightness (1 / mean width of the spec
/// bounds of each relaxation over the group's networks), continuity (persisting jumps of the network's own training loss along
/// a random weight direction) and sensitivity (Ŝ of every relaxation on every network). The report rebuilds Table 1 next to the
/// paper's numbers and the Table-2 rows these weights cover next to the reference implementation's results on them.
/// </summary>
public static class ReleasedStudy
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The six networks of each group.</summary>
    public static IReadOnlyList<ReleasedNetwork> Networks { get; } =
    [
        new("box", "box", "Box", "box", "box"),
        new("hbox", "hbox", "hBox", "hbox", "hbox"),
        new("crownibp1to1", "crown-ibp-r", "CROWN-IBP (R)", "crown-ibp", "crown-ibp"),
        new("zono", "zono", "DeepZ", "zono", "zono"),
        new("crown", "crown", "CROWN", "deeppoly", "deeppoly"),
        new("crownibp1to0", "crown-ibp", "CROWN-IBP (β 1→0)", "box", "box"),
    ];

    /// <summary>The verifiers of the cross matrix (batch sizes as the parity tests').</summary>
    public static IReadOnlyList<ReleasedVerifier> Verifiers { get; } =
    [
        new("box", "box", false, 500), new("hbox", "hbox", true, 25), new("zono", "zono", true, 25),
        new("deeppoly", "crown", true, 100), new("crown-ibp", "crown-ibp-r", false, 500),
    ];

    /// <summary>The groups in order.</summary>
    public static IReadOnlyList<ReleasedKind> Groups { get; } = [ReleasedKind.MnistFc, ReleasedKind.MnistConv, ReleasedKind.FashionFc, ReleasedKind.FashionConv];

    /// <summary>The weights file of a network, or null when absent (looked up in Folder, Folder/pretrained, Folder/pretrained-conv).</summary>
    public static string? File(string folder, string dataset, string arch, ReleasedNetwork n)
    {
        var name = $"{dataset}_{arch}_{n.Suffix}.pt";
        return new[] { folder, Path.Combine(folder, "pretrained"), Path.Combine(folder, "pretrained-conv") }
            .Select(d => Path.Combine(d, name)).FirstOrDefault(System.IO.File.Exists);
    }

    /// <summary>Runs every group whose files exist (and whose dataset is installed) and writes the report. Under a job of
    /// several ranks (<paramref name="cluster"/>; a collective call) each group's units are split across the ranks and
    /// rank 0 alone writes the files, the same as one process writes; the other ranks return no groups.</summary>
    public static Fin<IReadOnlyList<ReleasedGroup>> Run(ReleasedPlan plan, ParadoxProgress? progress, CancellationToken cancel, Cluster? cluster = null)
    {
        cluster ??= Cluster.Single;
        if (!Directory.Exists(plan.Folder))
            return FinFail<IReadOnlyList<ReleasedGroup>>(Error.New(ErrorCodes.MissingFile,
                $"The folder of released networks '{plan.Folder}' does not exist. Pass the folder holding pretrained/ and pretrained-conv/ " +
                "(the paper's weights are another project's files and are not in this repository), e.g. --released ../shared/reference."));
        var unknown = plan.Only.Except(Groups.Select(g => g.Name)).ToList();
        if (unknown.Count > 0)
            return FinFail<IReadOnlyList<ReleasedGroup>>(Error.New(ErrorCodes.InvalidConfig,
                $"Unknown group(s) {string.Join(", ", unknown)}. Known: {string.Join(", ", Groups.Select(g => g.Name))}."));
        var clock = Stopwatch.StartNew();
        var groups = new List<ReleasedGroup>();
        var skipped = new List<string>();
        int found = 0;                 // groups run on a rank other than 0 (rank 0 keeps them)
        foreach (var kind in Groups)
        {
            var (dataset, arch, name) = (kind.Dataset, kind.Arch, kind.Name);
            if (plan.Only.Count > 0 && !plan.Only.Contains(name)) continue;
            if (cluster.Any(cancel.IsCancellationRequested)) break;
            var present = Networks.Where(n => File(plan.Folder, dataset, arch, n) is not null).ToList();
            if (present.Count == 0) { skipped.Add($"{name}: no `{dataset}_{arch}_*.pt` in {plan.Folder}"); continue; }
            var data = DatasetCatalog.Load(kind.Catalog, null, Split.Test);
            if (data.IsFail) { skipped.Add($"{name}: {((Error)data).Message}"); continue; }
            var group = RunGroup(plan, kind, present, (Dataset)data, progress, cancel, cluster);
            if (group.IsFail) return group.Map(_ => (IReadOnlyList<ReleasedGroup>)groups);
            if (cluster.Any(cancel.IsCancellationRequested)) break;
            if (!cluster.IsRoot) { found++; continue; }
            groups.Add(((Option<ReleasedGroup>)group).IfNone(() => throw new InvalidOperationException("a finished group has no results")));
            ReleasedReport.Write(plan, groups, skipped, clock.Elapsed, complete: false);   // nothing lost if a later group fails
        }
        bool stopped = cluster.Any(cancel.IsCancellationRequested);
        if (groups.Count + found == 0 && !stopped)
            return FinFail<IReadOnlyList<ReleasedGroup>>(Error.New(ErrorCodes.MissingFile,
                $"No released network found under {plan.Folder} ({string.Join("; ", skipped)})."));
        if (cluster.IsRoot) ReleasedReport.Write(plan, groups, skipped, clock.Elapsed, complete: !stopped);
        return FinSucc<IReadOnlyList<ReleasedGroup>>(groups);
    }

    // The group's measurements on rank 0 (None on the other ranks, and when a signal stopped it).
    static Fin<Option<ReleasedGroup>> RunGroup(ReleasedPlan plan, ReleasedKind kind, IReadOnlyList<ReleasedNetwork> present, Dataset data,
        ParadoxProgress? progress, CancellationToken cancel, Cluster cluster)
    {
        var (dataset, arch) = (kind.Dataset, kind.Arch);
        var clock = Stopwatch.StartNew();
        var name = $"{dataset}-{arch.ToLowerInvariant()}";
        var entry = NetworkCatalog.Find(arch, data.Shape);
        if (entry.IsFail) return FinFail<Option<ReleasedGroup>>((Error)entry);
        var catalog = (CatalogEntry)entry;
        var nets = new List<NetworkModule>();
        using var guard = GcGuard.Open();
        try
        {
            foreach (var n in present)
            {
                var net = catalog.Create();
                nets.Add(net);
                var loaded = StateDict.Load(net, File(plan.Folder, dataset, arch, n)!);
                if (loaded.IsFail) return FinFail<Option<ReleasedGroup>>((Error)loaded);
                // The reference loader's constants: the dataset's (the Fashion files store MNIST's).
                foreach (var norm in net.Normalizations) norm.SetConstants(data.Normalization.Mean, data.Normalization.Std);
                net.eval();
            }
            int lpImages = plan.LpImagesOf(kind);
            var dir = Path.Combine(plan.OutDir, name);
            int m = plan.SkipProperties ? 0 : Math.Min(plan.PropertyImages(kind), data.Count);
            Tensor? x = null, y = null;
            if (!plan.SkipProperties) (x, y) = data.Batch(Enumerable.Range(0, m).ToArray(), CPU);
            var relaxations = Verifiers.Select(v => (v.Key, Domain: Domain.Parse(v.Name).ThrowIfFail())).ToList();

            // The independent units, in the order one process runs them: per network its clean accuracy, its cross-matrix
            // cells and its LP run; then the properties (tightness per relaxation and network, the loss slice per network,
            // Ŝ per network and relaxation). Each is a function of its network and the plan alone (the directions are
            // seeded per unit), so ranks can run them in any split.
            var pieces = new List<(Piece Piece, StudyUnit Unit)>();
            for (int i = 0; i < present.Count; i++)
            {
                var (n, net) = (present[i], nets[i]);
                pieces.Add((new(PieceKind.Clean, i, -1), new(0.1, () =>
                {
                    var c = Evaluation.Clean(net, data, 500, CPU);
                    return UnitOutcome.Of(c.Correct, c.Total);
                })));
                for (int j = 0; j < Verifiers.Count; j++)
                {
                    var v = Verifiers[j];
                    int images = plan.Images(kind, v, data.Count, own: v.Name == n.Own);
                    pieces.Add((new(PieceKind.Cell, i, j), new(images * CertifyCost(v.Name), () =>
                    {
                        guard.SafePoint();
                        progress?.Invoke("certify", $"{name} {n.Label} with {v.Name} on {images} images");
                        var r = Certification.Run(net, data, images, plan.Eps, Domain.Parse(v.Name).ThrowIfFail(), SpecKind.Diffs, v.Batch, CPU);
                        return new UnitOutcome(r.Certified, []);
                    })));
                }
                if (lpImages > 0)
                    pieces.Add((new(PieceKind.Lp, i, -1), new(lpImages * 2.5, () =>
                    {
                        progress?.Invoke("lp", $"{name} {n.Label}: exact triangle LP on {lpImages} images");
                        return UnitOutcome.Of(Certification.Run(net, data, lpImages, plan.Eps, Domain.Parse("triangle-lp:skip-stable=1").ThrowIfFail(), SpecKind.Diffs, 10, CPU).CertifiedCount);
                    })));
            }
            if (!plan.SkipProperties)
            {
                for (int r = 0; r < relaxations.Count; r++)
                    for (int i = 0; i < present.Count; i++)
                    {
                        var (key, domain, net, first) = (relaxations[r].Key, relaxations[r].Domain, nets[i], i == 0);
                        pieces.Add((new(PieceKind.Tightness, i, r), new(m * PropertyCost(key), () =>
                        {
                            if (first) progress?.Invoke("tightness", $"{name}: {key} on {nets.Count} networks × {m} images");
                            guard.SafePoint();
                            return UnitOutcome.Of(Analysis.Tightness.Measure(net, x!, y!, plan.Eps, domain).MeanWidth);
                        })));
                    }
                for (int i = 0; i < present.Count; i++)
                {
                    var (n, net) = (present[i], nets[i]);
                    pieces.Add((new(PieceKind.Slice, i, -1), new(plan.SlicePoints * m * SliceCost(n.Loss), () =>
                    {
                        guard.SafePoint();
                        progress?.Invoke("continuity", $"{name} {n.Label}: loss slice in {n.Loss}");
                        var direction = ParameterDirection.Random(net, unchecked((ulong)plan.Seed) + 17);
                        var slice = LossSlice.Function(net, x!, y!, Domain.Parse(n.Loss).ThrowIfFail(), plan.Eps, direction);
                        // A safe point between evaluations: a slice of a large network allocates more than the guard's budget.
                        var jumps = JumpDetector.Detect(t => { guard.SafePoint(); return slice(t); }, -0.02, 0.02, plan.SlicePoints);
                        return UnitOutcome.Of(jumps.Jumps.Count, jumps.Jumps.Count == 0 ? 0 : jumps.Jumps.Max(j => Math.Abs(j.Size)));
                    })));
                }
                for (int i = 0; i < present.Count; i++)
                    for (int r = 0; r < relaxations.Count; r++)
                    {
                        var (n, net, key, domain) = (present[i], nets[i], relaxations[r].Key, relaxations[r].Domain);
                        pieces.Add((new(PieceKind.Sensitivity, i, r), new(m * plan.SensitivityDirections * SensitivityCost(key), () =>
                        {
                            guard.SafePoint();
                            progress?.Invoke("sensitivity", $"{name} {n.Label}: {key}");
                            return UnitOutcome.Of(SensitivityPanel.MeasureOne(net, x!, y!, domain, plan.Eps, plan.SensitivityDirections, 1e-3, unchecked((ulong)plan.Seed)));
                        })));
                    }
            }

            var clean = new Dictionary<string, (int, int)>();
            var cells = new Dictionary<(string, string), bool[]>();
            var lp = new Dictionary<string, int>();
            var tightness = new Dictionary<string, double>();
            var slices = new Dictionary<string, (int, double)>();
            SensitivityPanel? panel = null;
            void Take(Piece p, UnitOutcome o)
            {
                if (p.Kind == PieceKind.Clean) clean[present[p.Net].Key] = ((int)o.Numbers[0], (int)o.Numbers[1]);
                else if (p.Kind == PieceKind.Cell) cells[(present[p.Net].Key, Verifiers[p.Other].Name)] = o.Flags;
                else if (p.Kind == PieceKind.Lp) lp[present[p.Net].Key] = (int)o.Numbers[0];
            }
            // One process writes per_image.csv after each network, as far as it got; a job's rank 0 writes it once, whole.
            int lastOfNetwork(int i) => pieces.FindLastIndex(p => p.Piece.Net == i && p.Piece.Kind is PieceKind.Clean or PieceKind.Cell or PieceKind.Lp);
            var (outcomes, stopped) = ShardedUnits.Run(cluster, pieces.Select(p => p.Unit).ToList(), cancel, (k, o) =>
            {
                if (cluster.IsParallel) return;
                Take(pieces[k].Piece, o);
                if (k == lastOfNetwork(pieces[k].Piece.Net)) WritePerImage(dir, dataset, arch, present, data, clean, cells);
            });
            if (stopped || outcomes is null) return FinSucc(Option<ReleasedGroup>.None);   // stopped, or a rank other than 0
            for (int k = 0; k < pieces.Count; k++) Take(pieces[k].Piece, outcomes[k]);
            if (cluster.IsParallel) WritePerImage(dir, dataset, arch, present, data, clean, cells);

            if (!plan.SkipProperties)
            {
                UnitOutcome At(PieceKind kind, int net, int other) => outcomes[pieces.FindIndex(p => p.Piece == new Piece(kind, net, other))];
                for (int r = 0; r < relaxations.Count; r++)
                    tightness[relaxations[r].Key] = 1 / Enumerable.Range(0, nets.Count).Average(i => At(PieceKind.Tightness, i, r).Numbers[0]);
                for (int i = 0; i < present.Count; i++)
                    slices[present[i].Key] = ((int)At(PieceKind.Slice, i, -1).Numbers[0], At(PieceKind.Slice, i, -1).Numbers[1]);
                panel = new SensitivityPanel(relaxations.Select(r => r.Key).ToList(), present.Select(n => n.Label).ToList(),
                    Enumerable.Range(0, present.Count).Select(i => Enumerable.Range(0, relaxations.Count).Select(r => At(PieceKind.Sensitivity, i, r).Numbers[0]).ToArray()).ToArray());
            }
            return FinSucc(Some(new ReleasedGroup(kind, present, clean, cells, lp, lpImages, tightness, slices, panel, clock.Elapsed.TotalSeconds)));
        }
        finally
        {
            foreach (var n in nets) n.Dispose();
        }
    }

    enum PieceKind { Clean, Cell, Lp, Tightness, Slice, Sensitivity }

    // A unit of a group: what it measures, on which network (index in the group), and the verifier or relaxation index (−1: none).
    sealed record Piece(PieceKind Kind, int Net, int Other);

    // Rough seconds per image of each verifier on MNIST FC (measured on 2 cores; only the balance between ranks depends on them).
    static double CertifyCost(string verifier) => verifier switch
    {
        "box" => 0.0004, "crown-ibp" => 0.001, "hbox" => 0.008, "zono" => 0.012, _ => 0.04,
    };

    // Per image and network of the tightness batch, by relaxation key; per image and grid point of a loss slice and per image
    // and direction of Ŝ, by domain (rough, as above).
    static double PropertyCost(string key) => key == "crown" ? 0.03 : key == "box" ? 0.005 : 0.01;

    static double SliceCost(string domain) => domain switch { "deeppoly" => 0.013, "zono" => 0.005, "hbox" => 0.004, _ => 0.001 };

    static double SensitivityCost(string key) => key switch { "crown" => 0.025, "zono" => 0.0125, _ => 0.005 };

    // per_image.csv in the reference's convention: img, label, pred__<model> (here: clean-correct is not stored, so the
    // prediction column is omitted), <model>__<verifier> = 1 / 0 / empty (not evaluated).
    static void WritePerImage(string dir, string dataset, string arch, IReadOnlyList<ReleasedNetwork> networks, Dataset data,
        IReadOnlyDictionary<string, (int, int)> clean, IReadOnlyDictionary<(string, string), bool[]> cells)
    {
        var columns = networks.SelectMany(n => Verifiers.Where(v => cells.ContainsKey((n.Key, v.Name))).Select(v => (n, v))).ToList();
        int rows = columns.Count == 0 ? 0 : columns.Max(c => cells[(c.n.Key, c.v.Name)].Length);
        var sb = new StringBuilder("img,label");
        foreach (var (n, v) in columns) sb.Append(Inv, $",{dataset}_{arch}_{n.Suffix}__{v.Name}");
        sb.Append('\n');
        for (int i = 0; i < rows; i++)
        {
            sb.Append(Inv, $"{i},{data.Labels[i]}");
            foreach (var (n, v) in columns)
            {
                var f = cells[(n.Key, v.Name)];
                sb.Append(i < f.Length ? (f[i] ? ",1" : ",0") : ",");
            }
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(dir, "per_image.csv"), sb.ToString());
    }
}
