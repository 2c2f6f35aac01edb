namespace FormerSearch.Cli.Tests;

/// <summary>.npy files of integer labels (the engine writes float32 arrays only).</summary>
internal static class NpyFiles
{
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
