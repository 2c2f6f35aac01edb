using System.CommandLine;
using System.Text.Json;
using FormerSearch.Bench;
using FormerSearch.Engine;
using Spectre.Console;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench ops [--op NAME] [--threads T] [--seed S] [--json]</c>: forward + backward time of each main op
/// at model-like sizes, and the managed bytes a warm training step allocates.
/// </summary>
public static class BenchOpsCommand
{
    public static Command Create()
    {
        var op = new Option<string?>("--op") { Description = "Only the ops whose name contains this text." };
        var run = new RunOptions("Seed of the random inputs and weights (default 0).");
        var command = new Command("ops", "Forward+backward time of each main op at model-like sizes (batch 64, 64×64 images).") { op };
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            string? filter = parse.GetValue(op);
            if (filter is not null && !OpsBenchmark.Cases.Any(c => c.Op.Contains(filter, StringComparison.OrdinalIgnoreCase)))
                throw new UserInputException($"--op '{filter}' matches no benchmarked op; the ops are: {string.Join(", ", OpsBenchmark.Cases.Select(c => c.Op))}.");
            return Run(filter, EngineSettings.Threads, run.SeedOr(parse), run.WantsJson(parse));
        });
        return command;
    }

    private static int Run(string? filter, int threads, ulong seed, bool json)
    {
        var results = OpsBenchmark.Run(filter, seed: seed);
        long stepBytes = StepAllocationBenchmark.BytesPerStep(seed: seed);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                threads,
                ops = results.Select(r => new { op = r.Op, shape = r.Shape, forward_backward_ms = Math.Round(r.Milliseconds, 3) }),
                step_allocated_bytes = stepBytes,
            }));
            return ExitCodes.Success;
        }
        var table = new Table().AddColumns("op", "input", "forward+backward (ms)");
        foreach (var r in results) table.AddRow(Markup.Escape(r.Op), Markup.Escape(r.Shape), $"{r.Milliseconds:F3}");
        Tables.Write(table);
        Console.WriteLine($"A warm training step of a small model allocates {stepBytes} bytes on the managed heap ({threads} thread(s)).");
        return ExitCodes.Success;
    }
}
