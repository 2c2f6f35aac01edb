namespace FormerSearch.Cli;

/// <summary>A run that could not finish for a reason that is not the user's input (e.g. a diverged loss): one line, exit code 1.</summary>
public sealed class TrainingFailedException(string message, Exception inner) : Exception(message, inner);
