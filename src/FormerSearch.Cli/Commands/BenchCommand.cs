using System.CommandLine;

namespace FormerSearch.Cli.Commands;

/// <summary><c>former bench …</c>: the speed measurements the README's figures come from.</summary>
public static class BenchCommand
{
    public static Command Create() => new("bench", "Measure the engine's speed.")
    {
        BenchDataCommand.Create(),
        BenchGemmCommand.Create(),
        BenchInferCommand.Create(),
        BenchOpsCommand.Create(),
        BenchStudyCommand.Create(),
        BenchSupernetCommand.Create(),
        BenchTrainCommand.Create(),
    };
}
