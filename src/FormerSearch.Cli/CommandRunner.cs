using System.CommandLine;
using System.CommandLine.Help;
using FormerSearch.Engine.Distributed;

namespace FormerSearch.Cli;

/// <summary>
/// Parses and runs a <c>former</c> command line, turning every failure into an exit code (<see cref="ExitCodes"/>) and
/// one line on stderr; <c>--verbose</c> (accepted by every command) adds the exception with its stack trace.
/// </summary>
public static class CommandRunner
{
    /// <summary>Where a user should report an internal error.</summary>
    public const string ReportTo = "the FormerSearch issue tracker";

    /// <summary>Adds <c>--verbose</c> to <paramref name="root"/>, parses <paramref name="args"/> and runs the command.</summary>
    /// <returns>The exit code: the command's own, or the one <see cref="ExitCodes.For"/> gives its exception.</returns>
    public static int Run(RootCommand root, string[] args, TextWriter error)
    {
        var verbose = new Option<bool>("--verbose") { Description = "On failure, print the exception with its stack trace too.", Recursive = true };
        root.Options.Add(verbose);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            error.WriteLine($"former: {OneLine(parsed.Errors[0].Message)}");
            return ExitCodes.BadInput;
        }
        int code;
        try
        {
            Cluster.Join(); // under mpirun: initialises MPI (the ranks of a data-parallel training run)
            code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            code = Report(e, parsed.GetValue(verbose), error);
        }
        return Leave(code);
    }

    // Under mpirun, a rank that failed ends every rank (the others may wait for it in a collective); one that succeeded finalises MPI.
    private static int Leave(int code)
    {
        if (Cluster.World is not MpiCommunicator mpi) return code;
        if (code == ExitCodes.Success) mpi.Dispose();
        else mpi.Abort(code);
        return code;
    }

    /// <summary>Writes the one line <paramref name="failure"/> gets (and, when <paramref name="verbose"/>, the whole exception) and returns its exit code.</summary>
    public static int Report(Exception failure, bool verbose, TextWriter error)
    {
        int code = ExitCodes.For(failure);
        var cause = ExitCodes.RootCause(failure);
        string former = Cluster.World.Size > 1 ? $"former (rank {Cluster.World.Rank})" : "former";
        error.WriteLine(code == ExitCodes.InternalError
            ? $"{former}: internal error ({cause.GetType().Name}: {OneLine(cause.Message)}); please report it to {ReportTo} with the command you ran"
              + (verbose ? " and the trace below." : " (--verbose adds the stack trace).")
            : $"{former}: {OneLine(cause.Message)}");
        if (verbose) error.WriteLine(failure);
        return code;
    }

    // A message may quote file contents or an inner error's lines; stderr gets one line per failure.
    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
