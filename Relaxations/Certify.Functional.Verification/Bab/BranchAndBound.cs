using System.Diagnostics;
using Certify.Functional.Bounds;
using Certify.Functional.Layers;
using Certify.Functional.Networks;
using Certify.Functional.Relaxations.DeepPoly;
using Certify.Functional.Runtime;
using Certify.Functional.Relaxations.Domains;
using Certify.Functional.Verification.Optimization;
using static TorchSharp.torch;

namespace Certify.Functional.Verification.Bab;

/// <summary>
/// Complete verification of one clause by branch and bound (Bunel et al. 2018; the α,β-CROWN family): the clause
/// (rows c_m·y ≤ d_m, all of which a counterexample satisfies) is refuted on a box when some row's lower bound of
/// c_m·f(x) − d_m, minus the rounding margin (<see cref="DifferenceMargin.OfRows"/>), is &gt; 0. Subdomains that are not
/// refuted are split — an unstable ReLU neuron fixed active (l := 0) or inactive (u := 0), or the box halved along one
/// input dimension — and bounded again, many as one batch, worst bound first, until every subdomain is refuted (verified),
/// a candidate input satisfies the clause (falsified), or the time or memory runs out.
/// <para>Bounds: CROWN back-substitution on a float64 network with the subdomain's pre-activation bounds (the root's
/// optimised by α-CROWN with intermediate slopes; children inherit their parent's, clamped at the split, and with
/// <see cref="BabOptions.Recompute"/> or under input splits recompute later layers by CROWN and intersect). Split
/// constraints are respected by the clamping alone (β-CROWN's multipliers are not used). Soundness: the two children
/// of a ReLU split cover the parent ({x: pre ≥ 0} ∪ {x: pre ≤ 0}), the halves of a box cover it, and every bound of a
/// child is a sound bound of the child's set; so refuting every leaf refutes the box.</para>
/// <para>Branching: first-order scores from the gradient of the bound with respect to each unstable neuron's bounds (the
/// gain of l := 0 and of u := 0), then the best <see cref="BabOptions.Candidates"/> are bounded split both ways and the
/// one whose worse child is best is taken (filtered smart branching). Input splits take the dimension with the largest
/// width × |∂bound/∂corner| (the widest when all are 0). Counterexamples: every bounded subdomain proposes the input that
/// minimises its linear lower bound (and its box's centre under input splits); one that satisfies the clause in float64
/// is handed to the caller's check.</para>
/// </summary>
public static class BranchAndBound
{
    static readonly CrownOptions Adaptive = new();


    /// <summary>Decides the clause <paramref name="rows"/> [M, K] · f(x) ≤ <paramref name="bounds"/> [M] over the box
    /// [<paramref name="lo"/>, <paramref name="hi"/>] ([1, …input]) on <paramref name="float64"/> (a float64 network).
    /// <paramref name="confirm"/> checks a candidate counterexample ([1, …input], float64) as the caller requires (e.g.
    /// also in float32, with strict rows); by default every row holds in float64.
    /// <paramref name="root"/>: the box's pre-activation bounds when the caller has them (e.g. <see cref="RootBounds"/>,
    /// shared by the clauses of one box); computed otherwise.</summary>
    public static BabResult Run(NetworkModule float64, Tensor lo, Tensor hi, Tensor rows, Tensor bounds, BabOptions options, Func<bool> expired,
        Func<Tensor, bool>? confirm = null, IReadOnlyList<Box>? root = null)
    {
        using var _ = no_grad();
        using var guard = GcGuard.Open();                 // collections only between iterations (TorchSharp's scalar race)
        var search = new Search(float64, lo, hi, rows.to(ScalarType.Float64), bounds.to(ScalarType.Float64), options, confirm, root);
        return search.Run(expired);
    }

    /// <summary>The pre-activation bounds branch and bound starts from on the box [<paramref name="lo"/>, <paramref name="hi"/>]
    /// ([1, …input], float64): α-CROWN with optimised intermediate slopes and IBP-intersected intermediate bounds
    /// (<see cref="BabOptions.RootSteps"/> steps; CROWN's with 0), for the rows <paramref name="rows"/> [M, K], and those
    /// rows' lower bounds [1, M] (as computed, before any margin). Tensors in the caller's scope.</summary>
    public static (IReadOnlyList<Box> Pre, Tensor Lower) RootBounds(NetworkModule float64, Tensor lo, Tensor hi, Tensor rows, BabOptions options)
    {
        using var _ = no_grad();
        var spec = Spec.Rows(rows.to(ScalarType.Float64).unsqueeze(0));
        if (options.RootSteps > 0)
        {
            var a = AlphaCrown.Propagate(float64, lo, hi, new AlphaCrownOptions(options.RootSteps, options.LearningRate, Intermediate: true, IntersectIbp: true), spec);
            return (a.PreActivation, a.Lower);
        }
        var c = CrownBackSubstitution.Propagate(LayerWalk.For(float64), lo, hi, Adaptive, spec);
        return (c.PreActivation, c.Lower);
    }

    // One subdomain: its box (shared with the parent under ReLU splits), its pre-activation bounds per ReLU (flattened;
    // arrays shared with the parent where unchanged, never mutated), and, once bounded, its objective and next split.
    sealed class Node(double[] lo, double[] hi, double[][] lower, double[][] upper)
    {
        public double[] Lo = lo, Hi = hi;
        public double[][] Lower = lower, Upper = upper;
        public double Objective;
        public int Layer = -1, Index = -1;                       // next split: ReLU (layer, neuron) or input (-, dimension)
        public double[][]? Alpha, Beta;                          // the optimised α and β per ReLU ([M·n], flattened), when warm-started
    }

    sealed class Search
    {
        readonly NetworkModule net;
        readonly ILayerWalk walk;
        readonly BabOptions options;
        readonly Tensor rootLo, rootHi, rows, d;
        readonly long[] inputShape;
        readonly long[][] reluShapes;
        readonly int[] sizes, offsets;
        readonly int inputs, m, k, relus;
        readonly BabSplit split;
        readonly Func<Tensor, bool> confirm;
        readonly Device device;
        Tensor? rootMargin;                                       // ReLU splits: the margin over the (one) box
        readonly IReadOnlyList<Box>? root;

        public Search(NetworkModule net, Tensor lo, Tensor hi, Tensor rows, Tensor d, BabOptions options, Func<Tensor, bool>? confirm, IReadOnlyList<Box>? root)
        {
            this.root = root;
            (this.net, this.options, this.rows, this.d) = (net, options, rows, d);
            walk = LayerWalk.For(net);
            device = lo.device;
            (rootLo, rootHi) = (lo.to(ScalarType.Float64), hi.to(ScalarType.Float64));
            inputShape = lo.shape[1..];
            inputs = (int)lo[0].numel();
            var reluLayers = net.Description.Layers.Where(l => l.Declaration.Kind == LayerKind.ReLU).ToArray();
            reluShapes = reluLayers.Select(l => l.Input.Dims.Select(v => (long)v).ToArray()).ToArray();
            sizes = reluLayers.Select(l => (int)l.Input.Size).ToArray();
            offsets = new int[sizes.Length + 1];
            for (int i = 0; i < sizes.Length; i++) offsets[i + 1] = offsets[i] + sizes[i];
            relus = sizes.Length;
            (m, k) = ((int)rows.shape[0], (int)rows.shape[1]);
            split = inputs <= options.InputSplitInputs || relus == 0 ? BabSplit.Input : BabSplit.Relu;
            this.confirm = confirm ?? Holds;
        }

        public BabResult Run(Func<bool> expired)
        {
            var clock = Stopwatch.StartNew();
            var lo = Flat(rootLo);
            var hi = Flat(rootHi);
            var (lower, upper) = RootBounds();
            var root = new Node(lo, hi, lower, upper);
            long subproblems = 1;
            int maxQueue = 1;
            BabResult Done(BabOutcome outcome, double bound, double[]? cex = null) =>
                new(outcome, bound, subproblems, maxQueue, clock.Elapsed.TotalSeconds, split, cex);

            if (Bound([root], split == BabSplit.Relu ? relus : 0) is { } found) return Done(BabOutcome.Falsified, double.NegativeInfinity, found);
            if (root.Objective > 0) return Done(BabOutcome.Verified, root.Objective);
            if (root.Layer < 0) return Done(BabOutcome.Unknown, root.Objective);

            var queue = new PriorityQueue<Node, double>();
            queue.Enqueue(root, root.Objective);
            double proven = double.PositiveInfinity, unresolved = double.PositiveInfinity;
            long bytesPerNode = 16L * (split == BabSplit.Input ? inputs + offsets[^1] : options.Recompute ? offsets[^1] : Math.Max(1, sizes.Max())) + 96
                + (options.WarmStart && split == BabSplit.Relu && options.AlphaSteps > 0 ? 16L * m * offsets[^1] : 0);
            long capacity = Math.Max(1, options.MemoryMegabytes * 1024 * 1024 / bytesPerNode);
            double Left() => Math.Min(Math.Min(proven, unresolved), queue.TryPeek(out _, out var worst) ? worst : double.PositiveInfinity);
            while (queue.Count > 0)
            {
                GcGuard.AtSafePoint();
                if (expired()) return Done(BabOutcome.Timeout, Left());
                if (options.MaxSubproblems > 0 && subproblems >= options.MaxSubproblems) return Done(BabOutcome.Unknown, Left());
                var parents = new List<Node>();
                while (parents.Count < (split == BabSplit.Input ? options.InputBatch : options.Batch) && queue.TryDequeue(out var node, out _)) parents.Add(node);
                var children = parents.SelectMany(Children).ToList();
                int from = split == BabSplit.Input ? 0 : options.Recompute ? parents.Min(p => p.Layer) + 1 : relus;
                if (Bound(children, from) is { } cex) { subproblems += children.Count; return Done(BabOutcome.Falsified, double.NegativeInfinity, cex); }
                subproblems += children.Count;
                foreach (var child in children)
                {
                    if (child.Objective > 0) proven = Math.Min(proven, child.Objective);
                    else if (child.Layer < 0) unresolved = Math.Min(unresolved, child.Objective);
                    else queue.Enqueue(child, child.Objective);
                }
                maxQueue = Math.Max(maxQueue, queue.Count);
                if (queue.Count > capacity) return Done(BabOutcome.MemoryLimit, Left());
            }
            return unresolved < double.PositiveInfinity ? Done(BabOutcome.Unknown, unresolved) : Done(BabOutcome.Verified, proven);
        }

        // The root's pre-activation bounds (flattened): the caller's, or computed.
        (double[][] Lower, double[][] Upper) RootBounds()
        {
            using var scope = NewDisposeScope();
            if (relus == 0) return ([], []);
            var pre = root ?? BranchAndBound.RootBounds(net, rootLo, rootHi, rows, options).Pre;
            return (pre.Select(b => Flat(b.Lower)).ToArray(), pre.Select(b => Flat(b.Upper)).ToArray());
        }

        IEnumerable<Node> Children(Node p)
        {
            if (split == BabSplit.Input)
            {
                int dim = p.Index;
                double mid = 0.5 * (p.Lo[dim] + p.Hi[dim]);
                var (leftHi, rightLo) = ((double[])p.Hi.Clone(), (double[])p.Lo.Clone());
                leftHi[dim] = mid;
                rightLo[dim] = mid;
                yield return new Node(p.Lo, leftHi, p.Lower, p.Upper) { Alpha = p.Alpha, Beta = p.Beta };
                yield return new Node(rightLo, p.Hi, p.Lower, p.Upper) { Alpha = p.Alpha, Beta = p.Beta };
                yield break;
            }
            var (layer, j) = (p.Layer, p.Index);
            var active = (double[][])p.Lower.Clone();
            active[layer] = (double[])p.Lower[layer].Clone();
            active[layer][j] = 0;                                                       // x ≥ 0: relu(x) = x
            var inactive = (double[][])p.Upper.Clone();
            inactive[layer] = (double[])p.Upper[layer].Clone();
            inactive[layer][j] = 0;                                                     // x ≤ 0: relu(x) = 0
            yield return new Node(p.Lo, p.Hi, active, p.Upper) { Alpha = p.Alpha, Beta = p.Beta };
            yield return new Node(p.Lo, p.Hi, p.Lower, inactive) { Alpha = p.Alpha, Beta = p.Beta };
        }

        // Bounds the nodes as one batch: their pre-activation bounds (ReLUs from `from` on recomputed by CROWN and intersected
        // with the node's), objective, next split; returns a confirmed counterexample among the candidates, or null.
        double[]? Bound(IReadOnlyList<Node> nodes, int from)
        {
            using var scope = NewDisposeScope();
            int b = nodes.Count;
            var lo = Stack(nodes.Select(n => n.Lo), inputs).view([b, .. inputShape]);
            var hi = Stack(nodes.Select(n => n.Hi), inputs).view([b, .. inputShape]);
            var lowers = new Tensor[relus];
            var uppers = new Tensor[relus];
            var pre = new List<Box>();
            var empty = zeros(b, dtype: ScalarType.Bool, device: device);
            for (int i = 0; i < relus; i++)
            {
                var l = Stack(nodes.Select(n => n.Lower[i]), sizes[i]);
                var u = Stack(nodes.Select(n => n.Upper[i]), sizes[i]);
                if (i >= from)
                {
                    l = maximum(l, CrownBackSubstitution.PreActivationSide(walk, lo, hi, Adaptive, pre, null, lower: true).flatten(1));
                    u = minimum(u, CrownBackSubstitution.PreActivationSide(walk, lo, hi, Adaptive, pre, null, lower: false).flatten(1));
                    // Crossed bounds prove the subdomain empty (no input meets its splits) beyond float noise only.
                    var crossed = (l - u).gt(1e-6 * (1 + maximum(l.abs(), u.abs())));
                    empty = empty.logical_or(crossed.any(1));
                    (l, u) = (minimum(l, u), maximum(l, u));
                }
                (lowers[i], uppers[i]) = (l, u);
                pre.Add(Box.FromBounds(l.view([b, .. reluShapes[i]]), u.view([b, .. reluShapes[i]])));
            }
            var spec = Spec.Rows(rows.unsqueeze(0).expand(b, m, k).contiguous());
            var margin = Margin(lo, hi, b);
            // α and β: the lower slopes per row, and per row a multiplier β ≥ 0 of every neuron whose bounds fix its sign
            // (s = +1 for l ≥ 0, −1 for u ≤ 0: the split ones and the stable ones), optimised together from CROWN's slopes
            // and β = 0 by projected gradient ascent on the bound.
            IReadOnlyList<Tensor?>? slopes = null, shifts = null;
            var signs = pre.Select(p => (p.Lower.ge(0).to(ScalarType.Float64) - p.Upper.le(0).to(ScalarType.Float64)).unsqueeze(1)).ToArray();
            int steps = split == BabSplit.Input ? options.InputAlphaSteps : options.AlphaSteps;
            if (steps > 0 && relus > 0)
            {
                // From the parent's optimum when every node has one (warm start), else CROWN's slopes and β = 0.
                bool warm = options.WarmStart && nodes.All(n => n.Alpha is not null);
                Tensor Saved(Func<Node, double[][]> of, int i) => Stack(nodes.Select(n => of(n)[i]), m * sizes[i]).view([b, m, .. reluShapes[i]]);
                var start = warm
                    ? Enumerable.Range(0, relus).Select(i => Saved(n => n.Alpha!, i)).Concat(Enumerable.Range(0, relus).Select(i => Saved(n => n.Beta!, i))).ToArray()
                    : pre.Select(p => CrownEnvelopes.Compute(Adaptive, p).LambdaLower.unsqueeze(1).expand([b, m, .. p.Center.shape[1..]]).contiguous())
                        .Concat(pre.Select(p => zeros([b, m, .. p.Center.shape[1..]], dtype: ScalarType.Float64, device: device))).ToArray();
                var run = SlopeAscent.Maximize(v => CrownBackSubstitution.SpecificationSide(walk, lo, hi, Adaptive, spec, pre, v.Take(relus).ToArray(),
                        lower: true, Shifts(v.Skip(relus).ToArray(), signs)), start,
                    new AlphaCrownOptions(steps, options.LearningRate), [.. Enumerable.Repeat(false, relus), .. Enumerable.Repeat(true, relus)]);
                slopes = run.Slopes.Take(relus).Cast<Tensor?>().ToArray();
                shifts = options.Beta ? Shifts(run.Slopes.Skip(relus).ToArray(), signs) : null;
                if (options.WarmStart)
                {
                    double[][][] Split(int from) => Enumerable.Range(0, relus).Select(i =>
                    {
                        var all = run.Slopes[from + i].cpu().contiguous().data<double>().ToArray();
                        int w = m * sizes[i];
                        return Enumerable.Range(0, b).Select(e => all.AsSpan(e * w, w).ToArray()).ToArray();
                    }).ToArray();
                    var (alphas, betas) = (Split(0), Split(relus));
                    for (int e = 0; e < b; e++)
                        (nodes[e].Alpha, nodes[e].Beta) = (alphas.Select(a => a[e]).ToArray(), betas.Select(a => a[e]).ToArray());
                }
            }

            Tensor objective, gLo, gHi;
            Tensor[] gL, gU;
            using (enable_grad())
            {
                var ls = lowers.Select(t => t.detach().requires_grad_(true)).ToArray();
                var us = uppers.Select(t => t.detach().requires_grad_(true)).ToArray();
                var loLeaf = lo.detach().requires_grad_(true);
                var hiLeaf = hi.detach().requires_grad_(true);
                var boxes = ls.Select((l, i) => Box.FromBounds(l.view([b, .. reluShapes[i]]), us[i].view([b, .. reluShapes[i]]))).ToArray();
                var value = CrownBackSubstitution.SpecificationSide(walk, loLeaf, hiLeaf, Adaptive, spec, boxes, slopes, lower: true, shifts) - margin - d;
                var best = value.amax(1);
                var grads = autograd.grad([best.sum()], [.. ls, .. us, loLeaf, hiLeaf], allow_unused: true);
                Tensor G(int q, Tensor like) => grads[q] is { IsInvalid: false } g ? g.detach() : zeros_like(like);
                gL = ls.Select((l, i) => G(i, l)).ToArray();
                gU = us.Select((u, i) => G(relus + i, u)).ToArray();
                (gLo, gHi) = (G(2 * relus, lo), G(2 * relus + 1, hi));
                objective = best.detach().masked_fill(empty, double.PositiveInfinity);
            }

            // Candidates: the minimiser of the linear lower bound (a corner per input: lo where ∂/∂lo > 0, hi where ∂/∂hi < 0),
            // and the box's centre under input splits.
            var centre = (lo + hi) / 2;
            var corner = where(gLo.gt(0), lo, where(gHi.lt(0), hi, centre));
            var candidates = split == BabSplit.Input ? cat([corner, centre]) : corner;
            if (Counterexample(candidates) is { } cex) return cex;

            var objectives = objective.cpu().data<double>().ToArray();
            int[] choice;
            if (split == BabSplit.Input)
            {
                var width = (hi - lo).flatten(1);
                // The gradient sees only the final back-substitution (the intermediate bounds are frozen), so a dimension that
                // matters through them alone has none: every dimension gets a quarter of the mean sensitivity besides its own.
                var sensitivity = (gLo.abs() + gHi.abs()).flatten(1);
                var smear = width * (sensitivity + 0.25 * sensitivity.mean([1], keepdim: true)) + 1e-12 * width;
                var dims = smear.argmax(1);
                var widest = width.amax(1).cpu().data<double>().ToArray();
                choice = dims.cpu().data<long>().Select((v, i) => widest[i] < options.MinWidth ? -1 : (int)v).ToArray();
                for (int i = 0; i < b; i++) (nodes[i].Layer, nodes[i].Index) = (choice[i] < 0 ? -1 : 0, choice[i]);
            }
            else
            {
                choice = ReluChoice(lowers, uppers, gL, gU, lo, hi, spec, slopes, shifts, margin, b);
                for (int i = 0; i < b; i++)
                {
                    if (choice[i] < 0) { (nodes[i].Layer, nodes[i].Index) = (-1, -1); continue; }
                    int layer = Array.FindLastIndex(offsets, o => o <= choice[i]);
                    (nodes[i].Layer, nodes[i].Index) = (layer, choice[i] - offsets[layer]);
                }
            }
            for (int i = 0; i < b; i++) nodes[i].Objective = objectives[i];
            if (from < relus)
            {
                foreach (var node in nodes) (node.Lower, node.Upper) = ((double[][])node.Lower.Clone(), (double[][])node.Upper.Clone());
                for (int r = from; r < relus; r++)
                {
                    var l = lowers[r].cpu().contiguous().data<double>().ToArray();
                    var u = uppers[r].cpu().contiguous().data<double>().ToArray();
                    for (int i = 0; i < b; i++)
                        (nodes[i].Lower[r], nodes[i].Upper[r]) = (l.AsSpan(i * sizes[r], sizes[r]).ToArray(), u.AsSpan(i * sizes[r], sizes[r]).ToArray());
                }
            }
            return null;
        }

        // β-CROWN's Lagrangian terms −β·s per ReLU ([B, M, …]); none when β is off.
        IReadOnlyList<Tensor?>? Shifts(IReadOnlyList<Tensor> betas, Tensor[] signs) =>
            options.Beta ? betas.Select((beta, i) => (Tensor?)(-beta * signs[i])).ToArray() : null;

        // ReLU splits: per node the flat index (over all ReLUs) of the neuron to split, or −1 when none is unstable.
        int[] ReluChoice(Tensor[] lowers, Tensor[] uppers, Tensor[] gL, Tensor[] gU, Tensor lo, Tensor hi, RowSpec spec,
            IReadOnlyList<Tensor?>? slopes, IReadOnlyList<Tensor?>? shifts, Tensor margin, int b)
        {
            var scores = cat(lowers.Select((l, i) =>
            {
                var u = uppers[i];
                var gain = (-gL[i] * l).clamp_min(0) + (-gU[i] * u).clamp_min(0) + 1e-9 * minimum(-l, u);
                return gain.masked_fill(l.lt(0).logical_and(u.gt(0)).logical_not(), double.NegativeInfinity);
            }).ToArray(), 1);                                                                   // [B, N]
            int c = Math.Min(Math.Max(1, options.Candidates), offsets[^1]);
            var (top, index) = scores.topk(c, 1);
            var valid = top.gt(double.NegativeInfinity);
            var flat = index.cpu().data<long>().ToArray();
            var ok = valid.cpu().data<bool>().ToArray();
            if (c == 1) return flat.Select((v, i) => ok[i] ? (int)v : -1).ToArray();

            // Filtered smart branching: bound both children of every candidate (the specification only, the parent's other
            // bounds and slopes) and take the candidate whose worse child is best.
            int n = b * c * 2;
            var boxes = new Box[relus];
            for (int r = 0; r < relus; r++)
            {
                var l = lowers[r].repeat_interleave(2L * c, 0).contiguous();
                var u = uppers[r].repeat_interleave(2L * c, 0).contiguous();
                var (activeRows, activeCols, inactiveRows, inactiveCols) = (new List<long>(), new List<long>(), new List<long>(), new List<long>());
                for (int q = 0; q < b * c; q++)
                {
                    if (!ok[q] || flat[q] < offsets[r] || flat[q] >= offsets[r + 1]) continue;
                    activeRows.Add(2L * q); activeCols.Add(flat[q] - offsets[r]);
                    inactiveRows.Add(2L * q + 1); inactiveCols.Add(flat[q] - offsets[r]);
                }
                if (activeRows.Count > 0)
                {
                    l.index_put_(tensor(0.0, dtype: ScalarType.Float64, device: device), tensor(activeRows.ToArray(), device: device), tensor(activeCols.ToArray(), device: device));
                    u.index_put_(tensor(0.0, dtype: ScalarType.Float64, device: device), tensor(inactiveRows.ToArray(), device: device), tensor(inactiveCols.ToArray(), device: device));
                }
                boxes[r] = Box.FromBounds(l.view([n, .. reluShapes[r]]), u.view([n, .. reluShapes[r]]));
            }
            var repeatedSlopes = slopes?.Select(s => s?.repeat_interleave(2L * c, 0)).ToArray();
            var repeatedShifts = shifts?.Select(s => s?.repeat_interleave(2L * c, 0)).ToArray();
            var childSpec = Spec.Rows(spec.Matrix.repeat_interleave(2L * c, 0));
            var value = CrownBackSubstitution.SpecificationSide(walk, lo.repeat_interleave(2L * c, 0), hi.repeat_interleave(2L * c, 0), Adaptive,
                childSpec, boxes, repeatedSlopes, lower: true, repeatedShifts) - margin.repeat_interleave(2L * c, 0) - d;
            var worse = value.amax(1).view(b, c, 2).amin(2);
            var pick = worse.masked_fill(valid.logical_not(), double.NegativeInfinity).argmax(1).cpu().data<long>().ToArray();
            return pick.Select((p, i) => ok[i * c + p] ? (int)flat[i * c + p] : -1).ToArray();
        }

        // The rounding margin of every row [B, M]: once over the root box under ReLU splits (the same box for every node).
        Tensor Margin(Tensor lo, Tensor hi, int b)
        {
            if (split == BabSplit.Input) return DifferenceMargin.OfRows(net, lo, hi, rows.unsqueeze(0).expand(b, m, k));
            if (rootMargin is null)
            {
                rootMargin = DifferenceMargin.OfRows(net, rootLo, rootHi, rows.unsqueeze(0));
                rootMargin.DetachFromDisposeScope();
            }
            return rootMargin.expand(b, m);
        }

        // The first candidate (≤ 8 tried) whose float64 value satisfies every row and that the caller's check confirms.
        double[]? Counterexample(Tensor candidates)
        {
            var y = net.forward(candidates).flatten(1);
            var worst = (matmul(y, rows.t()) - d).amax(1);
            var hits = worst.le(0).nonzero().flatten().cpu().data<long>().ToArray();
            foreach (var i in hits.Take(8))
            {
                var x = candidates[i].unsqueeze(0);
                if (confirm(x)) return Flat(x);
            }
            return null;
        }

        bool Holds(Tensor x) => (matmul(net.forward(x).flatten(1), rows.t()) - d).le(0).all().item<bool>();

        Tensor Stack(IEnumerable<double[]> arrays, int width)
        {
            var list = arrays.ToList();
            var all = new double[list.Count * width];
            for (int i = 0; i < list.Count; i++) Array.Copy(list[i], 0, all, i * width, width);
            return tensor(all, dtype: ScalarType.Float64, device: device).view(list.Count, width);
        }

        static double[] Flat(Tensor t) => t.to(ScalarType.Float64).cpu().contiguous().flatten().data<double>().ToArray();
    }
}
