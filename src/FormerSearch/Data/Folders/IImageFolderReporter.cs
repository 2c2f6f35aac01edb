namespace FormerSearch.Data.Folders;

/// <summary>What opening an image folder tells its user: what it does, which files it skips, and how far decoding has got.</summary>
public interface IImageFolderReporter
{
    /// <summary>A line about what happens (the cache used or built).</summary>
    void Log(string message);

    /// <summary>A warning (files skipped).</summary>
    void Warn(string message);

    /// <summary>Decoding of <paramref name="images"/> files begins; the returned progress is advanced from several threads and disposed at the end.</summary>
    IDecodeProgress StartDecoding(string description, int images);
}
