namespace FormerSearch.Engine.IO;

/// <summary>Reading a file a user named: a file that cannot be read is an input error that names it and says why.</summary>
internal static class InputFile
{
    /// <summary>The whole file.</summary>
    /// <exception cref="UserInputException">It does not exist or cannot be read.</exception>
    public static byte[] ReadAll(string path, string kind)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, kind, e);
        }
    }

    /// <summary>The input error for <paramref name="path"/> (a <paramref name="kind"/>, such as "safetensors file") that could not be read.</summary>
    public static UserInputException Unreadable(string path, string kind, Exception e) => new($"Cannot read {kind} '{path}': {Reason(path, e)}.", e);

    private static string Reason(string path, Exception e) => e switch
    {
        _ when Directory.Exists(path) => "it is a folder, not a file",
        FileNotFoundException => "it does not exist",
        DirectoryNotFoundException => "its folder does not exist",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message.TrimEnd('.'),
    };
}
