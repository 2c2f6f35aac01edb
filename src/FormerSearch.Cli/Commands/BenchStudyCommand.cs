using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Bench;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench study [--study FILE|URL] [--workers W] [--candidates N] [--json]</c>: study claims per second — N candidates
/// recorded in a fresh study, W worker threads (each with its own connection) claiming and completing them with a zero-cost
/// evaluation, every candidate checked to be completed exactly once. Without <c>--study</c> the study is a temporary SQLite
/// file, deleted afterwards; a <c>postgresql://…?study=NAME</c> URL gets <c>_YYYYMMDDHHMMSS</c> appended to NAME and that
/// schema is left on the server (drop it with <c>DROP SCHEMA NAME_… CASCADE</c>). <c>--json</c>: <c>{"store", "study",
/// "workers", "candidates", "seconds", "claims_per_s", "busy_answers"}</c>.
/// </summary>
public static class BenchStudyCommand
{
    public static Command Create()
    {
        var study = new Option<string?>("--study")
        {
            Description = "A new SQLite file, or postgresql://USER@HOST[:PORT]/DB?study=NAME (a timestamp is appended to NAME; the schema is left); default: a temporary SQLite file.",
        };
        var workers = new Option<int>("--workers") { Description = "Worker threads, each with its own study connection (1 to 256).", DefaultValueFactory = _ => 8 };
        var candidates = new Option<int>("--candidates") { Description = "Candidates recorded and then claimed (1 to 1,000,000).", DefaultValueFactory = _ => 2000 };
        var run = new RunOptions("Seed of the sampled architectures (default 0).");
        var command = new Command("study", "Study claims per second: W workers claiming and completing N candidates of a fresh study (SQLite or PostgreSQL).")
        {
            study, workers, candidates,
        };
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse); // checked like every command's; the workers are threads of their own
            int w = CommonOptions.InRange(parse.GetValue(workers), 1, 256, "--workers");
            int n = CommonOptions.InRange(parse.GetValue(candidates), 1, 1_000_000, "--candidates");
            string? scratch = parse.GetValue(study) is null ? Directory.CreateTempSubdirectory("former-bench-study-").FullName : null;
            try
            {
                string location = scratch is null ? StudyClaimBenchmark.WithTimestamp(parse.GetValue(study)!, DateTime.UtcNow) : Path.Combine(scratch, "claims.db");
                var r = StudyClaimBenchmark.Run(location, w, n, run.SeedOr(parse), run.WantsJson(parse) ? null : Console.Error.WriteLine);
                if (run.WantsJson(parse))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        store = r.Store, study = r.Location, workers = r.Workers, candidates = r.Candidates, seconds = Math.Round(r.Seconds, 3),
                        claims_per_s = Math.Round(r.ClaimsPerSecond, 1), busy_answers = r.BusyAnswers,
                    }));
                }
                else
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Store}: {r.ClaimsPerSecond:F1} claims/s — {r.Candidates} candidates, each completed once, by {r.Workers} workers in {r.Seconds:F2} s ({r.BusyAnswers} busy answers); study {r.Location}"));
                }
                return ExitCodes.Success;
            }
            finally
            {
                if (scratch is not null) Directory.Delete(scratch, recursive: true);
            }
        });
        return command;
    }
}
