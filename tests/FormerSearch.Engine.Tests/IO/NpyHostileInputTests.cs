using System.Text;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Testing;

namespace FormerSearch.Engine.Tests.IO;

/// <summary>
/// Hostile .npy files generated from valid ones with fixed seeds (each dtype the readers take), and hand-made headers
/// (versions, dict, dtype, fortran_order, shapes that overflow or do not match the data): each is read or refused in one
/// short line naming the file, never another exception; a file whose length changed is never accepted.
/// </summary>
public sealed class NpyHostileInputTests
{
    private static byte[] Valid(string descr, int itemSize, params int[] shape)
    {
        string path = IoFixtures.TempFile(".npy");
        try
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            var data = new byte[count * itemSize];
            new Random(7).NextBytes(data);
            if (descr == "<f4") Npy.Save(path, Tensor.FromArray(Enumerable.Range(0, count).Select(i => i / 3f).ToArray(), shape));
            else Npy.SaveBytes(path, data, shape);
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    private static byte[] WithHeader(string dict, int dataBytes, byte major = 1)
    {
        var text = Encoding.Latin1.GetBytes(dict + "\n");
        int prefix = major == 1 ? 10 : 12;
        var bytes = new byte[prefix + text.Length + dataBytes];
        Encoding.Latin1.GetBytes("\x93NUMPY").CopyTo(bytes, 0);
        bytes[6] = major;
        if (major == 1) BitConverter.GetBytes((ushort)text.Length).CopyTo(bytes, 8);
        else BitConverter.GetBytes((uint)text.Length).CopyTo(bytes, 8);
        text.CopyTo(bytes, prefix);
        return bytes;
    }

    [Theory]
    [InlineData("<f4", 4, 1311)]
    [InlineData("|u1", 1, 1312)]
    public void Three_hundred_generated_corruptions_each_are_read_or_refused_in_one_short_line(string descr, int itemSize, int seed)
    {
        var valid = Valid(descr, itemSize, 2, 3, 4, 5);
        var cases = HostileInputs.Corruptions(valid, seed, count: 300, headerBytes: 128);
        foreach (var (name, bytes) in cases)
        {
            var refusal = HostileInputs.Check(name, "case.npy", () =>
            {
                if (descr == "|u1") Npy.ParseUInt8(bytes, out _, "case.npy");
                else Npy.Parse(bytes, "case.npy");
            });
            if (bytes.Length != valid.Length) Assert.True(refusal is not null, $"{name}: accepted");
        }
        Assert.Equal(300, cases.Count);
    }

    [Fact]
    public void Labels_files_corrupted_at_random_are_read_or_refused_in_one_short_line()
    {
        string path = IoFixtures.TempFile(".npy");
        var valid = Valid("|u1", 1, 64);
        try
        {
            foreach (var (name, bytes) in HostileInputs.Corruptions(valid, seed: 1313, count: 200, headerBytes: 128))
            {
                File.WriteAllBytes(path, bytes);
                HostileInputs.Check(name, path, () => Npy.LoadInt32(path, out _));
            }
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 9223372036854775807), }", 0, "elements")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 0), }", 0, "32-bit")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 0, "shape")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 0, "shape")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", 0, "shape")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8, "Fortran")]
    [InlineData("{'descr': '<f4', 'fortran_order': 1, 'shape': (2,), }", 8, "fortran_order")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "dtype")]
    [InlineData("{'descr': 7, 'fortran_order': False, 'shape': (2,), }", 8, "string")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, "twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", 8, "lacks")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", 8, "unknown key")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4, "truncated")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12, "need 8")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } trailing", 8, "after the dict")]
    [InlineData("{'descr': '<f4", 8, "unterminated")]
    [InlineData("", 8, "malformed")]
    public void Headers_that_lie_are_refused(string dict, int dataBytes, string what)
    {
        var bytes = WithHeader(dict, dataBytes);
        Assert.Contains(what, HostileInputs.Refused(dict, "h.npy", () => Npy.Parse(bytes, "h.npy")).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(255)]
    public void Unknown_versions_are_refused(byte major)
    {
        var bytes = WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, major == 0 ? (byte)1 : major);
        bytes[6] = major;
        Assert.Contains("version", HostileInputs.Refused($"version {major}", "v.npy", () => Npy.Parse(bytes, "v.npy")).Message);
    }
}
