using FormerSearch.Engine;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// The check every command makes of what it will write, before any work: a file where a file goes, a folder where a
/// folder goes. A collision is one sentence (exit 2) instead of an I/O exception minutes later, and nothing is touched.
/// </summary>
internal static class OutputPath
{
    /// <summary>Returns <paramref name="path"/> if a file can be written there.</summary>
    /// <exception cref="UserInputException">The path is an existing folder, or its folder does not exist.</exception>
    public static string File(string path, string option = "--output")
    {
        if (Directory.Exists(path))
            throw new UserInputException($"{option} '{path}' is a folder, where a file is written; name the file to write.");
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
            throw new UserInputException($"Output '{path}' cannot be written: its directory does not exist.");
        return path;
    }

    /// <summary>Returns <paramref name="path"/> if it is a folder, or one can be created there.</summary>
    /// <exception cref="UserInputException">The path, or a folder above it, is an existing file.</exception>
    public static string Folder(string path, string option = "--output")
    {
        if (System.IO.File.Exists(path))
            throw new UserInputException($"{option} '{path}' is a file, where a folder is written; name a folder (new or existing) instead.");
        for (var above = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(above); above = Path.GetDirectoryName(above))
        {
            if (Directory.Exists(above)) break;
            if (System.IO.File.Exists(above))
                throw new UserInputException($"{option} '{path}' cannot be created: '{above}' is a file.");
        }
        return path;
    }
}
