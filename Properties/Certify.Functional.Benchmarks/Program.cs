using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Certify.Functional.Benchmarks;
using Certify.Functional.Runtime;

// In-process: the benchmarks run in this process, whose native TorchSharp library the build already fixed for
// Debian 12 (a generated benchmark project would not get that step).
if (args.Length > 0 && args[0] == "memory") return MemoryProbe.Run(args[1..]);
// Large freed blocks stay in the heap (see NativeHeap; the memory probe keeps glibc's defaults): CF_NATIVE_HEAP=default
// measures the defaults.
if (Environment.GetEnvironmentVariable("CF_NATIVE_HEAP") != "default") NativeHeap.KeepFreedPages();
if (args.Length > 0 && args[0] == "stats") return Stats.Run(args[1..]);
if (args.Length > 0 && args[0] == "profile") return Profile.Run(args[1..]);
if (args.Length > 0 && args[0] == "steps") return StepTimes.Run(args[1..]);
if (args.Length > 0 && args[0] == "crownparts") return CrownParts.Run(args[1..]);
if (args.Length > 0 && args[0] == "dpparts") return DeepPolyParts.Run(args[1..]);
if (args.Length > 0 && args[0] == "walks") return WalkTimes.Run(args[1..]);
if (args.Length > 0 && args[0] == "boxparts") return BoxParts.Run(args[1..]);
var config = ManualConfig.CreateMinimumViable()
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(StepBenchmarks).Assembly).Run(args, config);
return 0;
