// Large freed native blocks stay in the process (half of a DeepPoly step was the kernel zeroing re-faulted pages; see
// NativeHeap). Resident memory then stays at the peak of the largest step. CF_NATIVE_HEAP=default keeps glibc's defaults.
if (Environment.GetEnvironmentVariable("CF_NATIVE_HEAP") != "default") Certify.Functional.Runtime.NativeHeap.KeepFreedPages();
// Under an MPI launcher the ranks' stdout is a pseudo-terminal of mpirun: without this .NET writes terminal set-up codes
// (ESC[?1h ESC=) into the output.
if (Certify.Functional.Runtime.Cluster.Launch.Detect().Launcher is not null) Environment.SetEnvironmentVariable("TERM", "dumb");
return Certify.Cli.CliApp.Start(args);
