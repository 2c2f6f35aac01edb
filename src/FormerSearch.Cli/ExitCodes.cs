using FormerSearch.Engine;
using FormerSearch.Training;

namespace FormerSearch.Cli;

/// <summary>The process exit codes of <c>former</c>, and which failure gets which.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>
    /// The run could not finish for a reason that is neither the user's input nor a bug in <c>former</c>: training
    /// diverged (a NaN or infinite loss; the last checkpoint is intact), or the operating system failed a file operation
    /// mid-run (disk full, permission denied) or ran out of memory. One line on stderr with the reason.
    /// </summary>
    public const int Failure = 1;

    /// <summary>
    /// Bad input, validated: an unknown option or option value, a missing or corrupt file, an impossible size, a budget no
    /// architecture meets (<see cref="UserInputException"/> or a parse error). One sentence on stderr naming the input.
    /// </summary>
    public const int BadInput = 2;

    /// <summary>
    /// Any other exception: a bug in <c>former</c> (EX_SOFTWARE of BSD's sysexits.h). One line on stderr asking for a
    /// report; the stack trace only with <c>--verbose</c>.
    /// </summary>
    public const int InternalError = 70;

    /// <summary>The exit code of a command that threw <paramref name="error"/> (its root cause, see <see cref="RootCause"/>).</summary>
    public static int For(Exception error) => RootCause(error) switch
    {
        UserInputException => BadInput,
        TrainingDivergedException or IOException or UnauthorizedAccessException or OutOfMemoryException => Failure,
        _ => InternalError,
    };

    /// <summary>
    /// <paramref name="error"/> without the wrappers of parallel loops and background tasks: an
    /// <see cref="AggregateException"/> holding one exception stands for that exception.
    /// </summary>
    public static Exception RootCause(Exception error)
    {
        while (error is AggregateException { InnerExceptions.Count: 1 } aggregate) error = aggregate.InnerExceptions[0];
        return error;
    }
}
