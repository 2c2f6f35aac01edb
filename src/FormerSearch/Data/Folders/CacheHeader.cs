using System.Text;

namespace FormerSearch.Data.Folders;

/// <summary>
/// What a decoded cache file says about itself: the format version and transform, the decode size, the class names, and
/// every source file (path, size, modification time, label) with whether it decoded, why not, and its per-channel pixel
/// sums (for normalisation statistics of any subset without reading pixels). A cache is used only when all of it equals
/// what the folder holds now.
/// </summary>
internal sealed class CacheHeader
{
    /// <summary>The file's first eight bytes.</summary>
    public static ReadOnlySpan<byte> Magic => "FORMERIC"u8;

    /// <summary>Bumped whenever the layout or the decoding changes, so old caches are rebuilt.</summary>
    public const int Version = 1;

    /// <summary>Where the pixels start: one page, so the mapped images are page-aligned.</summary>
    public const long PixelOffset = 4096;

    public required string Transform { get; init; }
    public required int Channels { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    public required IReadOnlyList<SourceFile> Files { get; init; }

    /// <summary>Per file: null when it decoded, else why not.</summary>
    public required string?[] Failures { get; init; }

    /// <summary>Per file and channel: the sum of its pixel values and of their squares, <c>[file, 2, C]</c>.</summary>
    public required long[] Sums { get; init; }

    /// <summary>Whether this header describes exactly <paramref name="listing"/> decoded by <paramref name="transform"/> at this size.</summary>
    public bool Matches(ImageFolderListing listing, string transform, int channels, int height, int width) =>
        Transform == transform && Channels == channels && Height == height && Width == width
        && Classes.SequenceEqual(listing.Classes, StringComparer.Ordinal) && Files.SequenceEqual(listing.Files);

    /// <summary>Writes the header (after the pixels), then the preamble that points at it.</summary>
    public void Write(FileStream file, long pixelBytes)
    {
        long headerOffset = PixelOffset + pixelBytes;
        file.Position = headerOffset;
        using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Transform);
            writer.Write(Channels);
            writer.Write(Height);
            writer.Write(Width);
            writer.Write(Classes.Count);
            foreach (string c in Classes) writer.Write(c);
            writer.Write(Files.Count);
            for (int i = 0; i < Files.Count; i++)
            {
                var f = Files[i];
                writer.Write(f.RelativePath);
                writer.Write(f.Label);
                writer.Write(f.Length);
                writer.Write(f.LastWriteTicks);
                writer.Write(Failures[i] ?? "");
            }
            foreach (long s in Sums) writer.Write(s);
        }
        long headerLength = file.Position - headerOffset;
        file.Position = 0;
        using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(0);
            writer.Write(PixelOffset);
            writer.Write(pixelBytes);
            writer.Write(headerOffset);
            writer.Write(headerLength);
        }
    }

    /// <summary>The header of the cache at <paramref name="path"/> and its pixel bytes, or null when the file is not a complete cache of this version.</summary>
    public static (CacheHeader Header, long PixelBytes)? TryRead(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            using var reader = new BinaryReader(file, Encoding.UTF8);
            if (!reader.ReadBytes(8).AsSpan().SequenceEqual(Magic) || reader.ReadInt32() != Version) return null;
            reader.ReadInt32();
            long pixelOffset = reader.ReadInt64(), pixelBytes = reader.ReadInt64(), headerOffset = reader.ReadInt64(), headerLength = reader.ReadInt64();
            if (pixelOffset != PixelOffset || headerOffset != PixelOffset + pixelBytes || headerOffset + headerLength != file.Length) return null;
            file.Position = headerOffset;
            string transform = reader.ReadString();
            int channels = reader.ReadInt32(), height = reader.ReadInt32(), width = reader.ReadInt32();
            var classes = new string[reader.ReadInt32()];
            for (int i = 0; i < classes.Length; i++) classes[i] = reader.ReadString();
            int count = reader.ReadInt32();
            if (count < 0 || (long)count * channels * height * width != pixelBytes) return null;
            var files = new SourceFile[count];
            var failures = new string?[count];
            for (int i = 0; i < count; i++)
            {
                files[i] = new SourceFile(reader.ReadString(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
                string failure = reader.ReadString();
                failures[i] = failure.Length == 0 ? null : failure;
            }
            var sums = new long[2L * count * channels];
            for (int i = 0; i < sums.Length; i++) sums[i] = reader.ReadInt64();
            var header = new CacheHeader
            {
                Transform = transform, Channels = channels, Height = height, Width = width, Classes = classes, Files = files, Failures = failures, Sums = sums,
            };
            return (header, pixelBytes);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or UnauthorizedAccessException or FormatException or OverflowException or ArgumentException)
        {
            return null; // unreadable or torn: rebuilt like a stale one
        }
    }
}
