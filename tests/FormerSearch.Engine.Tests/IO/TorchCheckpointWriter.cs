using System.IO.Compression;
using System.Runtime.InteropServices;
using FormerSearch.Engine;

namespace FormerSearch.Engine.Tests.IO;

/// <summary>
/// Writes checkpoints in PyTorch's zip format from the tests (the committed fixtures are written by torch itself; these serve
/// where a test needs a model-sized checkpoint, or a damaged or hostile one).
/// </summary>
internal static class TorchCheckpointWriter
{
    /// <summary>
    /// Saves <paramref name="tensors"/> (PyTorch shapes) as <c>torch.save(OrderedDict)</c> does, one float32 storage each; with
    /// <paramref name="nestUnder"/> the state dict sits under that key of an outer dictionary, with an <c>epoch</c> beside it.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, string? nestUnder = null)
    {
        var pickle = new PickleBuilder().Proto();
        if (nestUnder is not null) pickle.Op((byte)'}').Mark().Str("epoch").Int(7).Str(nestUnder);
        pickle.OrderedDict().Mark();
        var records = new Dictionary<string, byte[]>();
        foreach (var (name, t) in tensors)
        {
            string key = records.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            records[key] = MemoryMarshal.AsBytes(t.ToArray().AsSpan()).ToArray();
            var shape = t.Shape.ToArray().Select(s => (long)s).ToArray();
            var stride = new long[shape.Length];
            for (int d = shape.Length - 1, s = 1; d >= 0; s *= (int)shape[d], d--) stride[d] = s;
            pickle.Str(name).Tensor(key, t.Numel, 0, shape, stride);
        }
        pickle.SetItems();
        if (nestUnder is not null) pickle.SetItems();
        SaveRaw(path, pickle.Stop(), records);
    }

    /// <summary>A zip of <c>archive/data.pkl</c> and <c>archive/data/KEY</c> records, stored as PyTorch stores them unless <paramref name="level"/> says otherwise.</summary>
    public static void SaveRaw(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]> records, CompressionLevel level = CompressionLevel.NoCompression)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Write(zip, "archive/data.pkl", pickle, level);
        foreach (var (key, bytes) in records) Write(zip, "archive/data/" + key, bytes, level);
        Write(zip, "archive/version", "3\n"u8.ToArray(), level);
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes, CompressionLevel level)
    {
        using var stream = zip.CreateEntry(name, level).Open();
        stream.Write(bytes);
    }
}
