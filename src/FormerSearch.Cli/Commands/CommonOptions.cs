using FormerSearch.Engine;
using System.CommandLine;

namespace FormerSearch.Cli.Commands;

/// <summary>Options shared by several commands, spelled the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<int> Threads() => new("--threads")
    {
        Description = "Threads for managed loops and BLAS alike (default: all cores).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    /// <summary>Returns <paramref name="value"/>, or throws a user-input error naming <paramref name="option"/> when it is below <paramref name="min"/>.</summary>
    public static int AtLeast(int value, int min, string option) =>
        value >= min ? value : throw new UserInputException($"{option} {value} is invalid: it must be at least {min}.");

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of a table." };
}
