using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Engine.Tests.IO;

public sealed class NpyTests
{
    [Theory]
    [InlineData("f4.npy")]
    [InlineData("f8.npy")]
    [InlineData("v2.npy")]
    public void Reads_numpy_float_files(string name)
    {
        var t = Npy.Load(IoFixtures.Path(name));
        Assert.Equal([2, 3, 4], t.Shape.ToArray());
        Assert.Equal(IoFixtures.Ramp(24), t.ToArray());
    }

    [Fact]
    public void Reads_numpy_integer_files_as_labels_and_as_floats()
    {
        var labels = Npy.LoadInt64(IoFixtures.Path("i8.npy"), out var shape);
        Assert.Equal([7], shape);
        Assert.Equal([3L, 0, 9, -1, 1L << 40, 7, 1], labels);
        var i4 = Npy.LoadInt32(IoFixtures.Path("i4.npy"), out var shape4);
        Assert.Equal([2, 2], shape4);
        Assert.Equal([1, -2, 3, int.MaxValue], i4);
        var u1 = Npy.Load(IoFixtures.Path("u1.npy"));
        Assert.Equal([3, 5], u1.Shape.ToArray());
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (float)(i * 17 % 256)).ToArray(), u1.ToArray());
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)(i * 17 % 256)).ToArray(), Npy.LoadInt64(IoFixtures.Path("u1.npy"), out _));
        var e = Assert.Throws<UserInputException>(() => Npy.LoadInt32(IoFixtures.Path("i8.npy"), out _));
        Assert.Contains("i8.npy", e.Message);
        Assert.Throws<UserInputException>(() => Npy.LoadInt64(IoFixtures.Path("f4.npy"), out _));
    }

    [Fact]
    public void Reads_headers_and_uint8_bytes_without_conversion()
    {
        var bytes = File.ReadAllBytes(IoFixtures.Path("u1.npy"));
        var (dtype, shape) = Npy.ParseHeader(bytes, "u1.npy");
        Assert.Equal("|u1", dtype);
        Assert.Equal([3, 5], shape);
        var raw = Npy.ParseUInt8(bytes, out var shape2, "u1.npy");
        Assert.Equal([3, 5], shape2);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (byte)(i * 17 % 256)).ToArray(), raw);
        Assert.Equal("<f4", Npy.ParseHeader(File.ReadAllBytes(IoFixtures.Path("f4.npy"))).Dtype);
        var e = Assert.Throws<UserInputException>(() => Npy.ParseUInt8(File.ReadAllBytes(IoFixtures.Path("f4.npy")), out _, "f4.npy"));
        Assert.Contains("f4.npy", e.Message);
    }

    [Fact]
    public void Reads_scalars_and_empty_arrays()
    {
        var s = Npy.Load(IoFixtures.Path("scalar.npy"));
        Assert.Equal(0, s.Rank);
        Assert.Equal(2.5f, s.Item());
        var e = Npy.Load(IoFixtures.Path("empty.npy"));
        Assert.Equal([0, 3], e.Shape.ToArray());
    }

    [Theory]
    [InlineData("fortran.npy", "Fortran")]
    [InlineData("big_endian.npy", ">f4")]
    public void Rejects_fortran_order_and_unsupported_dtypes_naming_the_file(string name, string what)
    {
        var e = Assert.Throws<UserInputException>(() => Npy.Load(IoFixtures.Path(name)));
        Assert.Contains(name, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void Round_trips_float_tensors_of_any_layout_and_bytes()
    {
        string path = IoFixtures.TempFile(".npy");
        try
        {
            foreach (int[] shape in new[] { new int[0], [0], [5], [3, 1, 4], [2, 3, 4, 5, 1, 2] })
            {
                var t = Tensor.Zeros(shape);
                new Generator(7).FillNormal(t.AsSpan());
                Npy.Save(path, t);
                Assert.Equal(0, (new FileInfo(path).Length - 4L * t.Numel) % 64);   // header aligned to 64 bytes, as numpy does
                var back = Npy.Load(path);
                Assert.Equal(t.Shape.ToArray(), back.Shape.ToArray());
                Assert.Equal(t.ToArray(), back.ToArray());
            }
            var big = Tensor.Zeros(6, 8);
            new Generator(8).FillNormal(big.AsSpan());
            var view = big.Transpose(0, 1).Narrow(0, 1, 5);   // strided
            Npy.Save(path, view);
            Assert.Equal(view.ToArray(), Npy.Load(path).ToArray());

            byte[] pixels = [.. Enumerable.Range(0, 24).Select(i => (byte)(i * 11))];
            Npy.SaveBytes(path, pixels, 2, 3, 4);
            Assert.Equal(pixels.Select(b => (long)b).ToArray(), Npy.LoadInt64(path, out var shape2));
            Assert.Equal([2, 3, 4], shape2);
            Assert.Throws<ArgumentException>(() => Npy.SaveBytes(path, pixels, 5, 5));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Written_header_matches_what_numpy_writes()
    {
        // numpy 1.24: np.save of float32 zeros((2, 3)) and of zeros((3,)) — 128-byte files with a 118-byte header.
        var header = System.Text.Encoding.Latin1.GetString(NpyHeader.Build("<f4", [2, 3]).AsSpan(10));
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.TrimEnd('\n').TrimEnd());
        Assert.Equal(118, header.Length);
        var one = System.Text.Encoding.Latin1.GetString(NpyHeader.Build("<f4", [3]).AsSpan(10));
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", one);
        var scalar = System.Text.Encoding.Latin1.GetString(NpyHeader.Build("<f4", []).AsSpan(10));
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", scalar);
    }

    [Fact]
    public void Every_truncation_and_corruption_gives_invalid_data_naming_the_source()
    {
        var good = File.ReadAllBytes(IoFixtures.Path("f4.npy"));
        for (int n = 0; n < good.Length; n++)
        {
            var e = Assert.Throws<UserInputException>(() => Npy.Parse(good.AsSpan(0, n), "cut.npy"));
            Assert.Contains("cut.npy", e.Message);
        }
        Assert.Throws<UserInputException>(() => Npy.Parse([.. good, 0], "long.npy"));
        var rng = new Generator(5);
        for (int trial = 0; trial < 3000; trial++)
        {
            var bad = (byte[])good.Clone();
            int flips = 1 + rng.NextInt(3);
            for (int f = 0; f < flips; f++) bad[rng.NextInt(128)] = (byte)rng.NextInt(256);
            try { Npy.Parse(bad, "fuzz.npy"); }
            catch (UserInputException e) { Assert.Contains("fuzz.npy", e.Message); }
        }
        var missing = Assert.Throws<UserInputException>(() => Npy.Load("/nonexistent/dir/x.npy"));
        Assert.Contains("x.npy", missing.Message);
    }

    [Fact]
    public void Malformed_headers_are_rejected()
    {
        string[] headers =
        [
            "{'descr': '<f4', 'fortran_order': False, }",
            "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
            "['descr']",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } trailing",
        ];
        foreach (var h in headers)
        {
            var text = System.Text.Encoding.Latin1.GetBytes(h + "\n");
            var bytes = new byte[10 + text.Length + 8];
            bytes[0] = 0x93;
            "NUMPY"u8.CopyTo(bytes.AsSpan(1));
            bytes[6] = 1;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
            text.CopyTo(bytes, 10);
            var e = Assert.Throws<UserInputException>(() => Npy.Parse(bytes, "hdr.npy"));
            Assert.Contains("hdr.npy", e.Message);
        }
    }
}
