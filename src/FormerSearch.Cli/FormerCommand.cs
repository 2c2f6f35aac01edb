using System.CommandLine;
using FormerSearch.Cli.Commands;

namespace FormerSearch.Cli;

/// <summary>The <c>former</c> command tree: every sub-command, each defined in <c>Commands/</c>.</summary>
public static class FormerCommand
{
    /// <summary>A new root command holding every sub-command.</summary>
    public static RootCommand Create() => new("FormerSearch: one-shot neural architecture search for vision transformers, in .NET.")
    {
        BenchCommand.Create(),
        CompareCommand.Create(),
        ConvertCommand.Create(),
        DataCommand.Create(),
        EvalCommand.Create(),
        ExportCommand.Create(),
        ExtractCommand.Create(),
        ModelsCommand.Create(),
        PredictCommand.Create(),
        ProfileCommand.Create(),
        RankStudyCommand.Create(),
        ReportCommand.Create(),
        SearchCommand.Create(),
        SpaceCommand.Create(),
        SupernetCommand.Create(),
        TrainCommand.Create(),
    };
}
