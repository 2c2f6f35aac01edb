using System.Buffers.Binary;
using System.IO.Compression;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (gzipped or raw, told apart by the gzip magic):
/// a big-endian header (two zero bytes, type code 0x08 = unsigned byte, number of dimensions, then
/// one 32-bit size per dimension) followed by the bytes.
/// </summary>
public static class IdxFile
{
    /// <summary>Reads an unsigned-byte IDX file with <paramref name="rank"/> dimensions: its sizes and its bytes.</summary>
    /// <exception cref="UserInputException">The file does not exist, is not such an IDX file, is truncated, has trailing bytes, or is a corrupt gzip stream; the message names it.</exception>
    public static byte[] Read(string path, int rank, out int[] shape)
    {
        if (!File.Exists(path)) throw new UserInputException($"IDX file '{path}' does not exist.");
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            return ReadIdx(stream, path, rank, out shape);
        }
        catch (InvalidDataException e) // from GZipStream
        {
            throw Bad(path, $"its gzip stream is corrupt ({e.Message})");
        }
        catch (Exception e) when (e is IOException and not FileNotFoundException and not EndOfStreamException || e is UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot read IDX file {InputText.QuotePath(path)}: {InputText.Clip(e.Message, 100)}", e);
        }
    }

    private static byte[] ReadIdx(Stream stream, string path, int rank, out int[] shape)
    {
        Span<byte> head = stackalloc byte[4];
        if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4) throw Bad(path, "it is shorter than an IDX header (truncated)");
        if (head[0] != 0 || head[1] != 0) throw Bad(path, "it does not start with the IDX magic (two zero bytes)");
        if (head[2] != 0x08) throw Bad(path, $"its element type 0x{head[2]:x2} is not unsigned byte (0x08)");
        if (head[3] != rank) throw Bad(path, $"it has {head[3]} dimensions where {rank} are expected");
        Span<byte> dims = stackalloc byte[4 * rank];
        if (stream.ReadAtLeast(dims, dims.Length, throwOnEndOfStream: false) < dims.Length) throw Bad(path, "it is truncated inside its header");
        shape = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(dims[(4 * d)..]);
            if (size > int.MaxValue) throw Bad(path, $"its dimension {size} is too large");
            shape[d] = (int)size;
            count *= size; // at most Array.MaxLength × int.MaxValue: no overflow
            if (count > Array.MaxLength) throw Bad(path, $"its shape {string.Join('x', shape[..(d + 1)])} has more elements than fit in one array");
        }
        // A raw file's length is known: an absurd count is refused before the memory for it is taken.
        if (stream.CanSeek && stream.Length - stream.Position < count)
            throw Bad(path, $"it holds {stream.Length - stream.Position} of the {count} bytes its header announces (truncated)");
        var data = ReadUpTo(stream, count, out int read);
        if (read < data.Length) throw Bad(path, $"it holds {read} of the {count} bytes its header announces (truncated)");
        Span<byte> extra = stackalloc byte[1];
        if (stream.Read(extra) != 0) throw Bad(path, "it has bytes after the data its header announces");
        return data;
    }

    // A gzip stream's length is unknown: the buffer grows with what arrives, so a header announcing 2 GB over a few
    // compressed bytes costs what those bytes hold.
    private static byte[] ReadUpTo(Stream stream, long count, out int read)
    {
        var data = new byte[Math.Min(count, 1 << 24)];
        read = 0;
        while (true)
        {
            read += stream.ReadAtLeast(data.AsSpan(read), data.Length - read, throwOnEndOfStream: false);
            if (read < data.Length || data.Length == count) return data;
            Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
        }
    }

    private static UserInputException Bad(string path, string what) =>
        new($"{InputText.QuotePath(path)} is not a valid IDX file: {what}; download it again.");
}
