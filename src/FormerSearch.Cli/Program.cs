using System.CommandLine;
using FormerSearch.Cli;
using FormerSearch.Cli.Commands;

// `former`: the FormerSearch command line. Each sub-command lives in Commands/; this file only assembles them.
// CommandRunner parses, runs and maps failures to exit codes (ExitCodes: 2 bad input, 1 failure, 70 internal error).
var root = new RootCommand("FormerSearch: one-shot neural architecture search for vision transformers, in .NET.")
{
    BenchCommand.Create(),
    EvalCommand.Create(),
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

return CommandRunner.Run(root, args, Console.Error);
