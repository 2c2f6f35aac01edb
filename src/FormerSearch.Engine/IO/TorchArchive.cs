using System.IO.Compression;

namespace FormerSearch.Engine.IO;

/// <summary>
/// The zip archive <c>torch.save</c> writes (PyTorch 1.6 and later): <c>TOP/data.pkl</c>, the pickled object, and one record
/// <c>TOP/data/KEY</c> per storage, where TOP is <c>archive</c> on recent PyTorch and the file's stem on older ones. Every
/// read is bounded: the pickle to <see cref="MaxPickleBytes"/>, a storage to exactly the bytes its persistent id claims, and
/// everything read together to <see cref="MaxExpansion"/> times the file's size (PyTorch stores records uncompressed, so a
/// real checkpoint expands by about 1×; a zip bomb is refused before it is inflated).
/// </summary>
internal sealed class TorchArchive : IDisposable
{
    /// <summary>Largest <c>data.pkl</c> read (a state dict's pickle is kilobytes to a few megabytes).</summary>
    public const long MaxPickleBytes = 256L << 20;

    /// <summary>How many times its own size the records read from one archive may add up to.</summary>
    public const long MaxExpansion = 16;

    private readonly ZipArchive _zip;
    private readonly string _prefix;
    private readonly string _source;
    private readonly long _budget;
    private long _read;

    private TorchArchive(ZipArchive zip, string prefix, string source, long fileLength)
    {
        _zip = zip;
        _prefix = prefix;
        _source = source;
        _budget = Math.Max(MaxExpansion * fileLength, 64L << 20);
    }

    /// <summary>Opens <paramref name="path"/> and finds its <c>data.pkl</c>.</summary>
    /// <exception cref="UserInputException">The file cannot be read, is not a zip archive (damaged or truncated), or holds no single <c>*/data.pkl</c>.</exception>
    public static TorchArchive Open(string path)
    {
        ZipArchive? zip = null;
        long length;
        List<ZipArchiveEntry> pickles;
        try
        {
            var stream = File.OpenRead(path);
            length = stream.Length;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
                pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                    && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length).ToList();
            }
            catch
            {
                zip?.Dispose();
                stream.Dispose();
                throw;
            }
        }
        catch (InvalidDataException e) { throw Bad(path, $"its zip archive is damaged or truncated ({e.Message.TrimEnd('.')})"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw InputFile.Unreadable(path, "PyTorch checkpoint", e); }

        if (pickles.Count != 1)
        {
            zip.Dispose();
            throw Bad(path, pickles.Count == 0 ? "its zip archive has no */data.pkl (it was not written by torch.save)" : "its zip archive has several */data.pkl");
        }
        return new TorchArchive(zip, pickles[0].FullName[..^"data.pkl".Length], path, length);
    }

    /// <summary>Whether the archive says its storages are big-endian (<c>TOP/byteorder</c>, written by recent PyTorch).</summary>
    public bool IsBigEndian => _zip.GetEntry(_prefix + "byteorder") is { Length: < 16 } entry && System.Text.Encoding.ASCII.GetString(Read(entry, entry.Length, "byteorder")).Trim() == "big";

    /// <summary>The pickled object's bytes.</summary>
    /// <exception cref="UserInputException">The record is larger than <see cref="MaxPickleBytes"/>, or damaged.</exception>
    public byte[] ReadPickle()
    {
        var entry = _zip.GetEntry(_prefix + "data.pkl")!;
        if (entry.Length > MaxPickleBytes) throw Bad(_source, $"its data.pkl has {entry.Length} bytes, more than the {MaxPickleBytes} a state dict needs");
        return Read(entry, entry.Length, "data.pkl");
    }

    /// <summary>The bytes of <paramref name="storage"/>: exactly <see cref="TorchStorage.ByteLength"/> of them.</summary>
    /// <exception cref="UserInputException">The record is missing, has another length, is damaged, or would take the archive past its expansion budget.</exception>
    public byte[] ReadStorage(TorchStorage storage)
    {
        var entry = _zip.GetEntry(_prefix + "data/" + storage.Key) ?? throw Bad(_source, $"its storage record data/{storage.Key} is missing");
        if (entry.Length != storage.ByteLength)
            throw Bad(_source, $"its storage record data/{storage.Key} has {entry.Length} bytes but the pickle describes {storage.Numel} elements of {storage.Type.ElementSize} bytes");
        return Read(entry, storage.ByteLength, "data/" + storage.Key);
    }

    private byte[] Read(ZipArchiveEntry entry, long length, string name)
    {
        if (_read + length > _budget)
            throw Bad(_source, $"its records expand to more than {MaxExpansion} times the file's size, which no PyTorch checkpoint does (a zip bomb?)");
        _read += length;
        try
        {
            using var stream = entry.Open();
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) != 0) throw Bad(_source, $"its record {name} holds more bytes than its zip header says");
            return bytes;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw Bad(_source, $"its record {name} is damaged or truncated ({e.Message.TrimEnd('.')})");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _zip.Dispose();

    private static UserInputException Bad(string source, string what) => new($"'{source}' is not a valid PyTorch checkpoint: {what}.");
}
