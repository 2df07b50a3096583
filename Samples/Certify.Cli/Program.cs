// Large freed native blocks stay in the process (half of a DeepPoly step was the kernel zeroing re-faulted pages; see
// NativeHeap). Resident memory then stays at the peak of the largest step. CF_NATIVE_HEAP=default keeps glibc's defaults.
if (Environment.GetEnvironmentVariable("CF_NATIVE_HEAP") != "default") Certify.Functional.Runtime.NativeHeap.KeepFreedPages();
return Certify.Cli.CliApp.Start(args);
