using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FormerSearch.Tests.Data;

/// <summary>Tiny data files written by the tests themselves, in a temporary directory removed on dispose.</summary>
internal sealed class DataFixtures : IDisposable
{
    public DataFixtures()
    {
        Directory = Path.Combine(Path.GetTempPath(), "former-data-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>IDX bytes: magic 0 0 8 rank, big-endian sizes, data.</summary>
    public static byte[] Idx(byte[] data, params int[] shape)
    {
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)shape.Length;
        for (int d = 0; d < shape.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), shape[d]);
        data.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest)) gz.Write(data);
        return memory.ToArray();
    }

    /// <summary>Writes an MNIST-layout split (n images of h×w, pixel = f(i, y, x), label = i % 10).</summary>
    public void WriteIdxSplit(string prefix, int n, int h, int w, bool gzip, string sub = "")
    {
        string dir = sub.Length == 0 ? Directory : Path.Combine(Directory, sub);
        System.IO.Directory.CreateDirectory(dir);
        var pixels = new byte[n * h * w];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < h * w; p++) pixels[i * h * w + p] = Pixel(i, p);
        var labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte)(i % 10);
        string ext = gzip ? ".gz" : "";
        var images = Idx(pixels, n, h, w);
        var labelBytes = Idx(labels, n);
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), gzip ? Gzip(images) : images);
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), gzip ? Gzip(labelBytes) : labelBytes);
    }

    public static byte Pixel(int image, int position) => (byte)((image * 31 + position * 7) % 256);

    /// <summary>One CIFAR record: label byte(s), then R, G, B planes of 32×32 with value = f(i, channel, position).</summary>
    public static byte[] CifarRecords(int n, int labelBytes, int firstIndex = 0)
    {
        int record = labelBytes + 3072;
        var bytes = new byte[n * record];
        for (int i = 0; i < n; i++)
        {
            int at = i * record;
            int global = firstIndex + i;
            if (labelBytes == 2) bytes[at] = (byte)(global % 20);
            bytes[at + labelBytes - 1] = (byte)(labelBytes == 2 ? global % 100 : global % 10);
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 1024; p++) bytes[at + labelBytes + c * 1024 + p] = CifarPixel(global, c, p);
        }
        return bytes;
    }

    public static byte CifarPixel(int image, int channel, int position) => (byte)((image * 13 + channel * 101 + position * 3) % 256);

    /// <summary>An int64 .npy array.</summary>
    public static byte[] NpyInt64(long[] values)
    {
        string dict = $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({values.Length},), }}";
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        var bytes = new byte[10 + header.Length + 8 * values.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(bytes, 1);
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(10 + header.Length + 8 * i), values[i]);
        return bytes;
    }
}
