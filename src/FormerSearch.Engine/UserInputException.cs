namespace FormerSearch.Engine;

/// <summary>
/// Validated user input that cannot be used: an unknown name, an impossible size, a corrupt or truncated file, a
/// missing data set. Its message is one sentence naming the input and what is wrong with it. Only input checks throw
/// it; every other exception (an <see cref="ArgumentException"/> from an engine call, say) is a bug, so the command
/// line can tell the two apart: exit 2 for this one, exit 70 for a bug.
/// </summary>
public class UserInputException : Exception
{
    /// <summary>An input error described by <paramref name="message"/> (one sentence naming the input).</summary>
    public UserInputException(string message) : base(message) { }

    /// <summary>An input error found while handling <paramref name="inner"/> (kept for <c>--verbose</c>).</summary>
    public UserInputException(string message, Exception inner) : base(message, inner) { }
}
