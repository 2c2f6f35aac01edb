using Spectre.Console;

namespace FormerSearch.Cli;

/// <summary>Writes tables to stdout without wrapping cells when stdout is a file or a pipe.</summary>
public static class Tables
{
    public static void Write(Table table)
    {
        // Spectre assumes 80 columns when there is no terminal, which folds long layer names and
        // numbers mid-word; a file or a pipe has no width, so give the table the room it needs.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
        AnsiConsole.Write(table);
    }
}
