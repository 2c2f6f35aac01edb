using System.CommandLine;
using FormerSearch.Engine;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>--threads T --seed S --json --no-progress</c>: the options every long-running command (train, supernet train/eval,
/// extract, search, rank-study, eval, predict, bench …) takes alike, so a script can pass them to any of them.
/// </summary>
public sealed class RunOptions
{
    /// <summary>The options; <paramref name="seedDescription"/> says what <c>--seed</c> seeds in this command and its default.</summary>
    public RunOptions(string seedDescription)
    {
        Seed = new Option<ulong?>("--seed") { Description = seedDescription };
    }

    /// <summary>Threads for managed loops and BLAS.</summary>
    public Option<int> Threads { get; } = CommonOptions.Threads();

    /// <summary>The seed; null when not given.</summary>
    public Option<ulong?> Seed { get; }

    /// <summary>One JSON object on stdout.</summary>
    public Option<bool> Json { get; } = CommonOptions.Json();

    /// <summary>No live progress bar.</summary>
    public Option<bool> NoProgress { get; } = new("--no-progress")
    {
        Description = "Plain log lines on stderr instead of a live progress bar (train and supernet train draw one on a terminal; the other commands always write plain lines).",
    };

    /// <summary>Adds the four options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Threads);
        command.Options.Add(Seed);
        command.Options.Add(Json);
        command.Options.Add(NoProgress);
    }

    /// <summary>Sets <see cref="EngineSettings.Threads"/> from <c>--threads</c> and returns it.</summary>
    /// <exception cref="UserInputException">Fewer than one thread or more than <see cref="Models.SizeLimits.MaxThreads"/> (refused, not capped, so a script learns of its typo).</exception>
    public int ApplyThreads(ParseResult parse) => EngineSettings.Threads = ThreadCount(parse);

    /// <summary>The <c>--threads</c> given, checked but not applied.</summary>
    /// <exception cref="UserInputException">Fewer than one thread or more than <see cref="Models.SizeLimits.MaxThreads"/>.</exception>
    public int ThreadCount(ParseResult parse) => CommonOptions.InRange(parse.GetValue(Threads), 1, Models.SizeLimits.MaxThreads, "--threads");

    /// <summary>The seed given, else <paramref name="fallback"/>.</summary>
    public ulong SeedOr(ParseResult parse, ulong fallback = 0) => parse.GetValue(Seed) ?? fallback;

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool WantsJson(ParseResult parse) => parse.GetValue(Json);

    /// <summary>
    /// The progress display the terminal allows: a live bar unless <c>--no-progress</c>, <c>--json</c> (the bar draws on
    /// stdout, where the JSON object goes) or output is redirected.
    /// </summary>
    public bool WantsBar(ParseResult parse) =>
        !parse.GetValue(NoProgress) && !WantsJson(parse) && !Console.IsErrorRedirected && !Console.IsOutputRedirected;
}
