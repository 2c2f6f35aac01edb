using BenchmarkDotNet.Running;

// BenchmarkDotNet sweeps: GEMM providers and the supernet-vs-standalone training step of every space
// (`dotnet run -c Release --project bench/FormerSearch.Benchmarks -- --filter '*'`). The figures the README quotes come
// from `former bench`, whose measurements are in bench/FormerSearch.Bench and need no harness.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
