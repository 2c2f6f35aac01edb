namespace FormerSearch.Data.Folders;

/// <summary>Reports nothing: for library callers and tests that do not show progress.</summary>
public sealed class SilentReporter : IImageFolderReporter, IDecodeProgress
{
    /// <summary>The one instance.</summary>
    public static SilentReporter Instance { get; } = new();

    private SilentReporter()
    {
    }

    /// <inheritdoc/>
    public void Log(string message)
    {
    }

    /// <inheritdoc/>
    public void Warn(string message)
    {
    }

    /// <inheritdoc/>
    public IDecodeProgress StartDecoding(string description, int images) => this;

    /// <inheritdoc/>
    public void Advance(int images)
    {
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
