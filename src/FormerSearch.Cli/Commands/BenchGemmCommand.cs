using System.CommandLine;
using System.Text.Json;
using FormerSearch.Bench;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Models;
using Spectre.Console;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench gemm [--size N] [--openblas-core auto|NAME] [--threads T] [--seed S] [--json]</c>: GFLOP/s of a
/// square sgemm for each GEMM provider this machine has.
/// </summary>
public static class BenchGemmCommand
{
    public static Command Create()
    {
        var size = new Option<int[]>("--size")
        {
            Description = "Matrix size N of the N×N·N×N product; repeat for several (default: 1024 and 2048).",
            AllowMultipleArgumentsPerToken = true,
        };
        var core = new Option<string?>("--openblas-core")
        {
            Description = "OpenBLAS kernel family: 'auto' for OpenBLAS's own detection, or a name such as SkylakeX (default: the engine's choice, AVX-512 where the CPU has it).",
        };
        var run = new RunOptions("Seed of the random matrices (default 0).");
        var command = new Command("gemm", "GFLOP/s of OpenBLAS and of the managed GEMM on square matrices.") { size, core };
        run.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(core) is { } name) GemmBenchmark.OpenBlasCoreOverride = name;
            int[] sizes = parse.GetValue(size) is { Length: > 0 } given ? given : [1024, 2048];
            foreach (int n in sizes)
                MemoryBudget.Check(GemmBytes(CommonOptions.AtLeast(n, 1, "--size")), $"A GEMM of size {n:N0} (three {n:N0}×{n:N0} float matrices)", "choose a smaller --size");
            return Run(sizes, run.ThreadCount(parse), run.SeedOr(parse), run.WantsJson(parse));
        });
        return command;
    }

    // A, B and C in float32; packing buffers are small next to them.
    private static double GemmBytes(int n) => 3.0 * 4 * n * (double)n;

    private static int Run(int[] sizes, int threads, ulong seed, bool json)
    {
        var providers = new List<string>();
        if (Gemm.OpenBlas is not null) providers.Add("openblas");
        providers.Add("managed");

        var results = new List<GemmBenchmarkResult>();
        foreach (int n in sizes)
            foreach (var p in providers)
            {
                if (!json) Console.Error.WriteLine($"measuring {p} at {n}³ with {threads} thread(s)…");
                results.Add(GemmBenchmark.Run(p, n, threads, seed));
            }

        if (json)
        {
            var doc = new
            {
                @default = Gemm.Default.Name,
                results = results.Select(r => new { provider = r.Provider, size = r.Size, threads = r.Threads, gflops = Math.Round(r.Gflops, 2), core = r.CoreName }),
            };
            Console.WriteLine(JsonSerializer.Serialize(doc));
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("provider", "kernels", "size", "threads", "GFLOP/s");
        foreach (var r in results)
            table.AddRow(r.Provider, r.CoreName ?? "managed SIMD", $"{r.Size}", $"{r.Threads}", $"{r.Gflops:F1}");
        Tables.Write(table);
        Console.WriteLine($"The engine uses: {Gemm.Default.Name}" + (Gemm.Default.Name == "openblas" ? $" ({Gemm.OpenBlasCoreName})" : ""));
        if (OpenBlasLibrary.ReplacedCoreType is { } replaced)
            Console.WriteLine($"OPENBLAS_CORETYPE={replaced} in the environment names slower kernels than this CPU has, so the engine uses {Gemm.OpenBlasCoreName}; set FORMER_OPENBLAS_CORETYPE={replaced} to keep it.");
        if (Gemm.OpenBlas is null)
            Console.WriteLine("OpenBLAS was not found; install it for faster training: sudo apt-get install libopenblas0-pthread");
        return ExitCodes.Success;
    }
}
