using BenchmarkDotNet.Running;

// Micro-benchmarks of the engine's kernels: `dotnet run -c Release --project bench/FormerSearch.Benchmarks -- --filter '*'`.
// The figures the README quotes come from `former bench`, which needs no harness.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
