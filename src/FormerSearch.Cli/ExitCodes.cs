namespace FormerSearch.Cli;

/// <summary>The process exit codes of <c>former</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A failure that is not the user's input (a bug, an I/O failure mid-run).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: an unknown option value, a missing or corrupt file, an impossible size.</summary>
    public const int BadInput = 2;
}
