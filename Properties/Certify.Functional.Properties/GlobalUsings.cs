global using Xunit;

// One test at a time: torch's seed and thread settings are process-wide, and TorchSharp lets the finalizer free implicit
// Scalars, which races with native calls when other test threads allocate (seen as sporadic native errors in
// Scalar.h under parallel runs).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
