namespace Certify.Functional.Verification.Bab;

/// <summary>What branch and bound splits: unstable ReLU neurons (each child fixes one neuron active or inactive) or
/// input dimensions (each child is half of its parent's box).</summary>
public enum BabSplit
{
    /// <summary>ReLU splits: for inputs with many elements (images).</summary>
    Relu,
    /// <summary>Input splits: for low-dimensional inputs (ACAS Xu's five).</summary>
    Input,
}

/// <summary>How a branch-and-bound run ended.</summary>
public enum BabOutcome
{
    /// <summary>Every subdomain's bound refutes the clause: proved.</summary>
    Verified,
    /// <summary>A point of the box satisfies the clause (confirmed by the caller's check).</summary>
    Falsified,
    /// <summary>Subdomains are left that no further split can decide here (every neuron fixed, or a box too small), or the
    /// subproblem budget is spent.</summary>
    Unknown,
    /// <summary>The time limit ran out first.</summary>
    Timeout,
    /// <summary>The queue of open subdomains outgrew the memory cap.</summary>
    MemoryLimit,
}

/// <summary>Options of <see cref="BranchAndBound"/>.</summary>
/// <param name="Batch">Subdomains split per iteration; their children (twice as many) are bounded as one batch.</param>
/// <param name="InputBatch">The same under input splits (small networks: bigger batches pay).</param>
/// <param name="Candidates">ReLU splits: the neurons with the highest first-order scores whose two children are bounded
/// to choose the split (filtered smart branching); 1 takes the best score without bounding.</param>
/// <param name="Recompute">ReLU splits: recompute the bounds of the layers after the split neuron by CROWN from the
/// clamped bounds (intersected with the parent's); otherwise only the specification is bounded again.</param>
/// <param name="RootSteps">α-CROWN steps of the root's intermediate bounds (with optimised intermediate slopes);
/// 0: CROWN's.</param>
/// <param name="AlphaSteps">α-CROWN steps of every subdomain's specification bound (0: CROWN's adaptive slopes).</param>
/// <param name="InputAlphaSteps">The same under input splits (0: CROWN's slopes; every subdomain recomputes its
/// intermediate bounds there, and more, cheaper subdomains pay better).</param>
/// <param name="Beta">β-CROWN: with the α steps, also optimise a Lagrangian multiplier β ≥ 0 per row for every neuron
/// whose sign the subdomain's bounds fix (the split ones among them), so that the split constraints cut the input region
/// instead of only making the split neuron's relaxation exact.</param>
/// <param name="WarmStart">Start each subdomain's α and β from its parent's optimum (kept with the subdomain:
/// 16·M·(ReLU neurons) bytes each) instead of CROWN's slopes and β = 0.</param>
/// <param name="LearningRate">Step size of those α steps.</param>
/// <param name="InputSplitInputs">Input splits when the input has at most this many elements, ReLU splits otherwise.</param>
/// <param name="MemoryMegabytes">Cap on the open subdomains' storage; the run stops with <see cref="BabOutcome.MemoryLimit"/>
/// beyond it.</param>
/// <param name="MaxSubproblems">A budget of subdomains bounded (0: none); the run ends <see cref="BabOutcome.Unknown"/>
/// when it is spent — a limit of work, the same on every machine, where the time limit is not.</param>
/// <param name="MinWidth">Input splits: a box whose widest side is below this is not split further (a leaf).</param>
public sealed record BabOptions(int Batch = 64, int InputBatch = 256, int Candidates = 3, bool Recompute = false, int RootSteps = 20, int AlphaSteps = 10, int InputAlphaSteps = 0, bool Beta = true, bool WarmStart = true,
    double LearningRate = 0.1, int InputSplitInputs = 16, long MemoryMegabytes = 4096, double MinWidth = 1e-7, long MaxSubproblems = 0)
{
    /// <summary>The defaults.</summary>
    public static BabOptions Default { get; } = new();
}

/// <summary>The result of one branch-and-bound run on one clause.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Bound">A proven lower bound of the objective max_m (c_m·f(x) − d_m) over the box (after the rounding
/// margin): &gt; 0 when <see cref="BabOutcome.Verified"/>; otherwise the smallest bound of the subdomains left (≤ 0).</param>
/// <param name="Subproblems">Subdomains bounded (the root included).</param>
/// <param name="MaxQueue">The largest number of open subdomains.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Split">What was split.</param>
/// <param name="Counterexample">The input (float64 values, flattened) when <see cref="BabOutcome.Falsified"/>.</param>
public sealed record BabResult(BabOutcome Outcome, double Bound, long Subproblems, int MaxQueue, double Seconds, BabSplit Split, double[]? Counterexample)
{
    /// <summary>"relu-split" or "input-split", with the subproblem count: what a result file names as the method.</summary>
    public string Method => $"bab ({(Split == BabSplit.Relu ? "relu" : "input")} splits, {Subproblems} subproblems)";
}
