using FormerSearch.Engine;
using FormerSearch.Models;
using System.CommandLine;

namespace FormerSearch.Cli.Commands;

/// <summary>Options shared by several commands, spelled the same everywhere (the long-running commands take them through <see cref="RunOptions"/>).</summary>
public static class CommonOptions
{
    /// <summary><c>--threads T</c>: the one thread setting (default: all cores).</summary>
    public static Option<int> Threads() => new("--threads")
    {
        Description = $"Threads for managed loops and BLAS alike, 1 to {SizeLimits.MaxThreads:N0} (default: all cores).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    /// <summary><c>--json</c>: one JSON object on stdout instead of text.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of a table or text." };

    /// <summary>
    /// A batch size of at least 1 given as <paramref name="option"/>, clamped to the <paramref name="images"/> there are
    /// (a batch larger than the data set holds the whole of it), so the batch arithmetic never overflows.
    /// </summary>
    /// <exception cref="UserInputException">The batch size is below 1.</exception>
    public static int BatchSize(int value, int images, string option = "--batch-size") => Math.Min(AtLeast(value, 1, option), Math.Max(1, images));

    /// <summary>A class count given as <c>--num-classes</c>: <paramref name="min"/> to <see cref="SizeLimits.MaxClasses"/>.</summary>
    /// <exception cref="UserInputException">Out of range.</exception>
    public static int Classes(int value, int min = 1) => InRange(value, min, SizeLimits.MaxClasses, "--num-classes");

    /// <summary>A batch size given as <paramref name="option"/>: 1 to <see cref="SizeLimits.MaxBatch"/>.</summary>
    /// <exception cref="UserInputException">Out of range.</exception>
    public static int BatchSize(int value, string option = "--batch-size") => InRange(value, 1, SizeLimits.MaxBatch, option);

    /// <summary>Returns <paramref name="value"/>, or throws a user-input error naming <paramref name="option"/> when it is outside [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int InRange(int value, int min, int max, string option) =>
        value >= min && value <= max ? value : throw new UserInputException($"{option} {value} is invalid: it must be between {min:N0} and {max:N0}.");

    /// <summary>Returns <paramref name="value"/>, or throws a user-input error naming <paramref name="option"/> when it is below <paramref name="min"/>.</summary>
    public static int AtLeast(int value, int min, string option) =>
        value >= min ? value : throw new UserInputException($"{option} {value} is invalid: it must be at least {min}.");
}
