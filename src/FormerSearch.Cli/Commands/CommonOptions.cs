using System.CommandLine;

namespace FormerSearch.Cli.Commands;

/// <summary>Options shared by several commands, spelled the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<int> Threads() => new("--threads")
    {
        Description = "Threads for managed loops and BLAS alike (default: all cores).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be at least 1."); } },
    };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of a table." };
}
