using System.Buffers.Binary;
using System.Text;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Engine.Tests.IO;

/// <summary>The existing safetensors reader/writer: round trips, files written by a hand-built Python writer, and every corruption → <see cref="UserInputException"/> naming the file.</summary>
public sealed class SafeTensorsTests
{
    /// <summary>A safetensors file of <paramref name="header"/> and <paramref name="dataBytes"/> zero bytes of data.</summary>
    internal static byte[] File(string header, int dataBytes) => File(Encoding.UTF8.GetBytes(header), dataBytes);

    /// <summary>As <see cref="File(string, int)"/>, the header given as raw bytes (not necessarily UTF-8).</summary>
    internal static byte[] File(byte[] header, int dataBytes)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void Round_trips_tensors_views_and_metadata()
    {
        string path = IoFixtures.TempFile(".safetensors");
        try
        {
            var a = Tensor.Zeros(3, 4);
            new Generator(1).FillNormal(a.AsSpan());
            var big = Tensor.Zeros(5, 6);
            new Generator(2).FillNormal(big.AsSpan());
            var tensors = new Dictionary<string, Tensor>
            {
                ["a"] = a,
                ["view"] = big.Block(1, 3, 2, 4),
                ["scalar"] = Tensor.Scalar(-3.5f),
                ["empty"] = Tensor.Zeros(0, 2),
            };
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
            var back = SafeTensors.Load(path);
            Assert.Equal(tensors.Keys, back.Keys);
            foreach (var (k, t) in tensors)
            {
                Assert.Equal(t.Shape.ToArray(), back[k].Shape.ToArray());
                Assert.Equal(t.ToArray(), back[k].ToArray());
            }
            Assert.Equal("pt", SafeTensors.LoadMetadata(path)["format"]);
            Assert.Equal(0, (BinaryPrimitives.ReadInt64LittleEndian(System.IO.File.ReadAllBytes(path)) % 8));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".tmp-*"));
        }
        finally { System.IO.File.Delete(path); }
    }

    [Fact]
    public void Reads_f16_bf16_and_i64_written_by_python()
    {
        string path = IoFixtures.Path("dtypes.safetensors");
        var t = SafeTensors.Load(path);
        Assert.Equal(["half", "brain", "num_batches_tracked", "single"], t.Keys);
        Assert.Equal([2, 3], t["half"].Shape.ToArray());
        Assert.Equal([0.5f, -1.25f, 3f, 65504f, MathF.Pow(2, -24), 0f], t["half"].ToArray());
        Assert.Equal([3, 2], t["brain"].Shape.ToArray());
        Assert.Equal([1f, -2.5f, 3.140625f, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(1e30f) & ~0xFFFF), -0.0078125f, 256f], t["brain"].ToArray());
        Assert.Equal([0f, 1f, -5f, 123456f], t["num_batches_tracked"].ToArray());
        Assert.Equal(IoFixtures.Ramp(6), t["single"].ToArray());
        var meta = SafeTensors.LoadMetadata(path);
        Assert.Equal("make_io.py", meta["source"]);
    }

    [Fact]
    public void Unsupported_dtype_is_invalid_data_naming_file_and_dtype()
    {
        var e = Assert.Throws<UserInputException>(() => SafeTensors.Load(IoFixtures.Path("unsupported.safetensors")));
        Assert.Contains("unsupported.safetensors", e.Message);
        Assert.Contains("F64", e.Message);
    }

    [Theory]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "truncated")]          // offsets past the end
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12")]           // wrong byte count
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "data_offsets")]      // reversed
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-4,4]}}", 8, "data_offsets")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",8]}}", 8, "data_offsets")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8, "shape")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "shape")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}", 8, "dimensions")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536],\"data_offsets\":[0,8]}}", 8, "elements")]
    [InlineData("{\"x\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype")]
    [InlineData("{\"x\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype")]
    [InlineData("{\"x\":[1,2]}", 8, "dtype")]
    [InlineData("[1,2]", 8, "object")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",", 8, "JSON")]
    [InlineData("not json at all", 8, "JSON")]
    public void Corrupt_headers_are_invalid_data_naming_the_file(string header, int dataBytes, string what)
    {
        var e = Assert.Throws<UserInputException>(() => SafeTensors.Parse(File(header, dataBytes), "bad.safetensors"));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void Bad_header_lengths_and_truncations_are_invalid_data()
    {
        var good = System.IO.File.ReadAllBytes(IoFixtures.Path("dtypes.safetensors"));
        // Every prefix of a valid file that cuts into the header or a tensor fails cleanly.
        for (int n = 0; n < good.Length; n++)
        {
            var e = Assert.Throws<UserInputException>(() => SafeTensors.Parse(good.AsSpan(0, n), "cut.safetensors"));
            Assert.Contains("cut.safetensors", e.Message);
        }
        foreach (ulong len in new ulong[] { ulong.MaxValue, 1UL << 40, 200_000_000, (ulong)good.Length })
        {
            var bad = (byte[])good.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(bad, len);
            var e = Assert.Throws<UserInputException>(() => SafeTensors.Parse(bad, "len.safetensors"));
            Assert.Contains("len.safetensors", e.Message);
        }
    }

    private const string JsonChars = "0123456789-[]{},:\"eE. FIU";

    [Fact]
    public void Random_corruption_never_throws_anything_but_invalid_data()
    {
        var good = System.IO.File.ReadAllBytes(IoFixtures.Path("dtypes.safetensors"));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        var rng = new Generator(3);
        for (int trial = 0; trial < 5000; trial++)
        {
            var bad = (byte[])good.Clone();
            int flips = 1 + rng.NextInt(3);
            for (int f = 0; f < flips; f++)
            {
                int at = rng.NextInt(headerEnd);
                // Mostly printable JSON-ish characters, so the parser gets past the syntax check now and then.
                bad[at] = rng.NextInt(2) == 0 ? (byte)JsonChars[rng.NextInt(JsonChars.Length)] : (byte)rng.NextInt(256);
            }
            try { SafeTensors.Parse(bad, "fuzz.safetensors"); }
            catch (UserInputException e) { Assert.Contains("fuzz.safetensors", e.Message); }
            catch (Exception e) { Assert.Fail($"trial {trial}: {Encoding.UTF8.GetString(bad, 8, headerEnd - 8)} threw {e}"); }
        }
    }

    [Fact]
    public void Missing_files_are_invalid_data_naming_the_file()
    {
        var e = Assert.Throws<UserInputException>(() => SafeTensors.Load("/nonexistent/dir/w.safetensors"));
        Assert.Contains("w.safetensors", e.Message);
        var m = Assert.Throws<UserInputException>(() => SafeTensors.LoadMetadata("/nonexistent/dir/w.safetensors"));
        Assert.Contains("w.safetensors", m.Message);
    }

    [Fact]
    public void ReadHeader_reads_shapes_and_metadata_without_the_data()
    {
        string path = IoFixtures.TempFile(".safetensors");
        try
        {
            // The header promises 24 + 8 bytes of data; only 4 are there, so Load must fail but the header reads.
            const string header = "{\"__metadata__\":{\"format\":\"pt\"},\"head.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},"
                + "\"bad\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[24,32]}}";
            System.IO.File.WriteAllBytes(path, File(header, 4));
            var h = SafeTensors.ReadHeader(path);
            Assert.Equal([3, 2], h.Shapes["head.weight"]);
            Assert.False(h.Shapes.ContainsKey("bad"));   // malformed entries are left for Load to report
            Assert.Equal("pt", h.Metadata["format"]);
            Assert.Throws<UserInputException>(() => SafeTensors.Load(path));
        }
        finally { System.IO.File.Delete(path); }
    }

    [Fact]
    public void Non_string_metadata_is_invalid_data()
    {
        string path = IoFixtures.TempFile(".safetensors");
        try
        {
            System.IO.File.WriteAllBytes(path, File("{\"__metadata__\":{\"epoch\":3}}", 0));
            var e = Assert.Throws<UserInputException>(() => SafeTensors.LoadMetadata(path));
            Assert.Contains(path, e.Message);
        }
        finally { System.IO.File.Delete(path); }
    }
}
