namespace FormerSearch.Data.Folders;

/// <summary>One folder's images decoded at one size: the pixels (one slot per listed file, mapped from the cache), and the header saying which slots hold an image.</summary>
internal sealed class DecodedFolder(ImageFolderListing listing, CacheHeader header, PixelStore pixels, string? cachePath)
{
    /// <summary>The folder as listed.</summary>
    public ImageFolderListing Listing { get; } = listing;

    /// <summary>Failures and pixel sums per file.</summary>
    public CacheHeader Header { get; } = header;

    /// <summary><c>[files, H, W, C]</c>; the slots of unreadable files hold zeros.</summary>
    public PixelStore Pixels { get; } = pixels;

    /// <summary>The cache file, or null when it could not be written and the pixels are in memory.</summary>
    public string? CachePath { get; } = cachePath;

    /// <summary>The files that could not be read, in listing order.</summary>
    public IReadOnlyList<SkippedImage> Skipped()
    {
        var skipped = new List<SkippedImage>();
        for (int i = 0; i < Header.Files.Count; i++)
            if (Header.Failures[i] is { } reason) skipped.Add(new SkippedImage(Listing.FullPath(Header.Files[i]), reason));
        return skipped;
    }
}
