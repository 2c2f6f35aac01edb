using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using FormerSearch.Engine.Distributed;

namespace FormerSearch.Cli;

/// <summary>
/// Parses and runs a <c>former</c> command line, turning every failure into an exit code (<see cref="ExitCodes"/>) and
/// one line on stderr; <c>--verbose</c> (accepted by every command) adds the exception with its stack trace.
/// </summary>
public static partial class CommandRunner
{
    /// <summary>
    /// Longest message printed (characters): a message is one sentence of at most ~300 characters by contract, and a longer
    /// one (a list a check forgot to summarise) is cut at a clause boundary with "…" rather than flood the terminal.
    /// </summary>
    public const int MaxMessageLength = 300;

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

    /// <summary>
    /// <paramref name="message"/> as the one line stderr gets: its lines joined (a message may quote file contents or an
    /// inner error's lines), .NET's " (Parameter 'name')" suffix dropped (the sentence already names the input), and cut
    /// to <see cref="MaxMessageLength"/> at the last sentence or clause boundary with "…".
    /// </summary>
    public static string OneLine(string message)
    {
        string line = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        line = ParameterSuffix().Replace(line, "");
        if (line.Length <= MaxMessageLength) return line;
        string head = line[..(MaxMessageLength - 1)];
        // A clause ends at punctuation followed by a space (a '.' inside a parameter name or a number is not one).
        int cut = head.Length - 1;
        while (cut > 0 && !(head[cut] == ' ' && head[cut - 1] is '.' or ';' or ':' or ',')) cut--;
        cut--;
        if (cut < MaxMessageLength / 3) cut = head.LastIndexOf(' ');
        if (cut < MaxMessageLength / 3) cut = head.Length;
        return head[..cut].TrimEnd() + "…";
    }

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)$")]
    private static partial Regex ParameterSuffix();
}
