using System.CommandLine;
using FormerSearch.Cli;
using FormerSearch.Cli.Commands;

// `former`: the FormerSearch command line. Each sub-command lives in Commands/; this file only
// assembles them and maps failures to exit codes (2 for bad input, with one sentence on stderr).
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

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
{
    Console.Error.WriteLine($"former: {parsed.Errors[0].Message}");
    return ExitCodes.BadInput;
}
return CommandRunner.Invoke(parsed);
