using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Cli.Tests;

/// <summary>.npy files of integer labels (the engine writes float32 arrays only), and small data sets made of them.</summary>
internal static class NpyFiles
{
    /// <summary>
    /// <paramref name="count"/> uniform-random 1×28×28 images (seeded by <paramref name="seed"/>) with labels <c>i · step mod 10</c>,
    /// written as x.npy and y.npy in <paramref name="dir"/>; returns the <c>npy:</c> data-set spec naming them.
    /// </summary>
    public static string RandomDataset(string dir, int count, ulong seed, int step = 1)
    {
        var images = Tensor.Empty(count, 1, 28, 28);
        new Generator(seed).FillUniform(images.AsSpan(), 0f, 1f);
        string x = Path.Combine(dir, "x.npy"), y = Path.Combine(dir, "y.npy");
        Npy.Save(x, images);
        WriteInt64(y, Enumerable.Range(0, count).Select(i => i * step % 10).ToArray());
        return $"npy:{x},{y}";
    }

    /// <summary>Writes <paramref name="values"/> as a 1-D <c>&lt;i8</c> array to <paramref name="path"/>.</summary>
    public static void WriteInt64(string path, IReadOnlyList<int> values)
    {
        string header = $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({values.Count},), }}";
        header = header.PadRight(118) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8) };
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (var v in values) bytes.AddRange(BitConverter.GetBytes((long)v));
        File.WriteAllBytes(path, bytes.ToArray());
    }
}
