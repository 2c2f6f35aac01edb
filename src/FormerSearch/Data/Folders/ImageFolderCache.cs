using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FormerSearch.Engine;

namespace FormerSearch.Data.Folders;

/// <summary>
/// The decoded cache of an image folder: every listed file decoded once (in parallel) at the model's input size into one
/// uint8 file per folder and size, <c>CACHE_DIR/images/NAME-HASH.cache</c>, then memory-mapped by every later run. The
/// file's header (<see cref="CacheHeader"/>) lists the source files with sizes and modification times, the decode size
/// and transform and a format version; any difference from the folder as it is now rebuilds it. A build writes a
/// temporary file of its own and renames it into place, so concurrent builders (two runs started together) each end
/// with a complete cache and never see a torn one.
/// </summary>
public static class ImageFolderCache
{
    /// <summary>The default cache directory: <c>$XDG_CACHE_HOME/former</c>, else <c>~/.cache/former</c>.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? Path.Combine(xdg, "former")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "former");

    /// <summary>Names the decoding in cache headers: a cache made by other decoding is rebuilt.</summary>
    internal static string Transform(long maxPixels) =>
        $"SkiaSharp 4.156.1, EXIF upright, alpha dropped, Pillow luma; resize shorter side + centre crop, Pillow bilinear; max {maxPixels} pixels";

    /// <summary>Where the cache of <paramref name="listing"/> at C×H×W lives under <paramref name="cacheDir"/>.</summary>
    public static string PathFor(string cacheDir, ImageFolderListing listing, int channels, int height, int width)
    {
        string key = $"{listing.Root}\n{channels}x{height}x{width}\n{string.Join("\n", listing.Classes)}";
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        string name = string.Concat(Path.GetFileName(Path.TrimEndingDirectorySeparator(listing.Root)).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        return Path.Combine(cacheDir, "images", $"{name}-{channels}x{height}x{width}-{hash}.cache");
    }

    /// <summary>
    /// The decoded images of <paramref name="listing"/>: from its cache when that is current, else decoded now on
    /// <paramref name="threads"/> threads into a new cache (or into memory, with a warning, when the cache directory
    /// cannot be written).
    /// </summary>
    internal static DecodedFolder Open(ImageFolderListing listing, int channels, int height, int width, string? cacheDir,
        IImageFolderReporter reporter, int threads, long maxPixels = ImageLoader.DefaultMaxPixels)
    {
        string transform = Transform(maxPixels);
        string path = PathFor(cacheDir ?? DefaultDirectory, listing, channels, height, width);
        if (CacheHeader.TryRead(path) is var (header, pixelBytes))
        {
            if (header.Matches(listing, transform, channels, height, width))
            {
                try
                {
                    reporter.Log($"reading the decoded images of {listing.Root} from {path}");
                    return new DecodedFolder(listing, header, new MappedPixels(path, CacheHeader.PixelOffset, pixelBytes), path);
                }
                catch (IOException)
                {
                    // Replaced or removed between reading its header and mapping it: decode again.
                }
            }
            else
            {
                reporter.Log($"the decoded cache {path} is out of date ({Difference(header, listing, transform, channels, height, width)}); decoding again");
            }
        }
        return Build(listing, channels, height, width, transform, path, reporter, threads, maxPixels);
    }

    private static DecodedFolder Build(ImageFolderListing listing, int channels, int height, int width, string transform, string path,
        IImageFolderReporter reporter, int threads, long maxPixels)
    {
        int count = listing.Files.Count, imageSize = channels * height * width;
        long pixelBytes = (long)count * imageSize;
        string temp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        FileStream? file = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            file.SetLength(CacheHeader.PixelOffset + pixelBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            TryDelete(temp);
            if (pixelBytes > Array.MaxLength)
                throw new UserInputException($"The decoded cache of '{listing.Root}' cannot be written in '{Path.GetDirectoryName(path)}' ({e.Message}) and its {pixelBytes:N0} bytes do not fit in memory; pass a writable --cache-dir.");
            reporter.Warn($"warning: cannot write the decoded cache in {Path.GetDirectoryName(path)} ({e.Message}); decoding {count:N0} images into memory for this run only (pass a writable --cache-dir to keep them)");
            var memory = new byte[pixelBytes];
            var inMemory = Decode(listing, channels, height, width, transform, (slot, image) => image.CopyTo(memory.AsSpan((int)(slot * imageSize))), reporter, threads, maxPixels);
            return new DecodedFolder(listing, inMemory, new ArrayPixels(memory), null);
        }

        try
        {
            var handle = file.SafeFileHandle;
            var header = Decode(listing, channels, height, width, transform,
                (slot, image) => RandomAccess.Write(handle, image, CacheHeader.PixelOffset + slot * imageSize), reporter, threads, maxPixels);
            header.Write(file, pixelBytes);
            file.Flush(flushToDisk: true);
            file.Dispose();
            File.Move(temp, path, overwrite: true); // atomic: readers see the old file or the whole new one
            reporter.Log($"decoded cache written: {path}");
            return new DecodedFolder(listing, header, new MappedPixels(path, CacheHeader.PixelOffset, pixelBytes), path);
        }
        finally
        {
            file.Dispose();
            TryDelete(temp);
        }
    }

    // Decodes every file of the listing on `threads` threads, handing each decoded image to `store` with its slot.
    private static CacheHeader Decode(ImageFolderListing listing, int channels, int height, int width, string transform,
        Action<long, byte[]> store, IImageFolderReporter reporter, int threads, long maxPixels)
    {
        int count = listing.Files.Count;
        var failures = new string?[count];
        var sums = new long[2L * count * channels];
        var clock = Stopwatch.StartNew();
        using (var progress = reporter.StartDecoding($"decoding {count:N0} images of {listing.Root} at {channels}x{height}x{width}", count))
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
                () => (Loader: new ImageLoader(channels, height, width, maxPixels), Image: new byte[channels * height * width]),
                (i, _, local) =>
                {
                    var file = listing.Files[i];
                    string? failure = local.Loader.TryLoad(listing.FullPath(file), local.Image);
                    if (failure is null)
                    {
                        store(i, local.Image);
                        AddSums(local.Image, channels, sums.AsSpan(2 * i * channels, 2 * channels));
                    }
                    failures[i] = failure;
                    progress.Advance(1);
                    return local;
                },
                _ => { });
        }
        double seconds = clock.Elapsed.TotalSeconds;
        reporter.Log(string.Create(CultureInfo.InvariantCulture, $"decoded {count:N0} images in {seconds:F1} s ({count / Math.Max(seconds, 1e-9):N0} images/s)"));
        return new CacheHeader
        {
            Transform = transform, Channels = channels, Height = height, Width = width, Classes = listing.Classes, Files = listing.Files,
            Failures = failures, Sums = sums,
        };
    }

    // Per channel: Σv and Σv² over the image (exact in integers, so statistics do not depend on thread count or order).
    private static void AddSums(ReadOnlySpan<byte> image, int channels, Span<long> sums)
    {
        for (int c = 0; c < channels; c++)
        {
            long s = 0, q = 0;
            for (int p = c; p < image.Length; p += channels)
            {
                int v = image[p];
                s += v;
                q += v * v;
            }
            sums[c] = s;
            sums[channels + c] = q;
        }
    }

    private static string Difference(CacheHeader header, ImageFolderListing listing, string transform, int channels, int height, int width)
    {
        if (header.Transform != transform) return "made by other decoding";
        if (header.Channels != channels || header.Height != height || header.Width != width) return "another size";
        if (!header.Classes.SequenceEqual(listing.Classes, StringComparer.Ordinal)) return "the classes changed";
        var before = header.Files.ToDictionary(f => f.RelativePath, StringComparer.Ordinal);
        int added = 0, changed = 0;
        foreach (var f in listing.Files)
        {
            if (!before.Remove(f.RelativePath, out var old)) added++;
            else if (old != f) changed++;
        }
        return $"{added} file(s) added, {before.Count} removed, {changed} changed";
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
