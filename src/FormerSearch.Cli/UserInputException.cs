namespace FormerSearch.Cli;

/// <summary>A problem with what the user asked for; its message is one sentence naming the bad input.</summary>
public sealed class UserInputException(string message) : Exception(message);
