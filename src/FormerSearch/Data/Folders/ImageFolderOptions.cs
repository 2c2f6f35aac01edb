using FormerSearch.Models;

namespace FormerSearch.Data.Folders;

/// <summary>How an image-folder data set (<c>folder:DIR</c>) is read: the size its images are decoded to, where the decoded cache goes, the test split when the folder has none, and what to do with unreadable files.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>The model's input: images are decoded to these channels (1 grey or 3 RGB) and resized and centre-cropped to this size.</summary>
    public required ModelInput Input { get; init; }

    /// <summary>Where decoded caches go (null: <see cref="ImageFolderCache.DefaultDirectory"/>).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Images held out as the test set, drawn by the split seed, when the folder has no test or val folder (0: none, which such a folder refuses).</summary>
    public int TestSize { get; init; }

    /// <summary>Make an unreadable image file an error instead of skipping it with a warning.</summary>
    public bool StrictImages { get; init; }

    /// <summary>Decoding threads (default: every core).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Where progress, cache lines and skipped-file warnings go.</summary>
    public IImageFolderReporter Reporter { get; init; } = SilentReporter.Instance;
}
