using FormerSearch.Engine;
using System.CommandLine;

namespace FormerSearch.Cli;

/// <summary>Runs a parsed command, turning input errors into one line on stderr and exit code 2.</summary>
public static class CommandRunner
{
    public static int Invoke(ParseResult parsed)
    {
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"former: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (TrainingFailedException e)
        {
            Console.Error.WriteLine($"former: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static bool IsBadInput(Exception e) => e is UserInputException or ArgumentException
        or InvalidDataException or FileNotFoundException or DirectoryNotFoundException;
}
