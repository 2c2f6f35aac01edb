using System.Buffers.Binary;
using System.Text;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Nn;
using FormerSearch.Testing;

namespace FormerSearch.Engine.Tests.IO;

/// <summary>
/// Hostile safetensors files generated from a valid one with fixed seeds, and weights files that do not fit a model: each
/// is read or refused with one line of at most 300 characters naming the file, never another exception. Every change of
/// the file's length, and every header that does not describe its data exactly, is refused.
/// </summary>
public sealed class SafeTensorsHostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fs-hostile-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Valid()
    {
        string path = IoFixtures.TempFile(".safetensors");
        try
        {
            var a = Tensor.Zeros(3, 4);
            new Generator(5).FillNormal(a.AsSpan());
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["layer.weight"] = a, ["layer.bias"] = Tensor.Zeros(3), ["empty"] = Tensor.Zeros(0, 2) },
                new Dictionary<string, string> { ["format"] = "pt", ["note"] = "hostile" });
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Four_hundred_generated_corruptions_are_read_or_refused_in_one_short_line()
    {
        var valid = Valid();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        var cases = HostileInputs.Corruptions(valid, seed: 1301, count: 400, headerBytes: headerEnd);
        int refused = 0;
        foreach (var (name, bytes) in cases)
        {
            var refusal = HostileInputs.Check(name, "case.safetensors", () => SafeTensors.Parse(bytes, "case.safetensors"));
            // A file of another length than its header describes is never accepted.
            if (bytes.Length != valid.Length) Assert.True(refusal is not null, $"{name}: accepted");
            if (refusal is not null) refused++;
        }
        Assert.Equal(400, cases.Count);
        Assert.True(refused > 300, $"{refused} of 400 refused");
        // The same through a file, header alone included, for a slice of them.
        string path = Path.Combine(_dir, "file.safetensors");
        foreach (var (name, bytes) in cases.Take(60))
        {
            File.WriteAllBytes(path, bytes);
            HostileInputs.Check(name, path, () => SafeTensors.Load(path));
            HostileInputs.Check(name, path, () => SafeTensors.ReadHeader(path));
        }
    }

    [Theory]
    [InlineData(-1, "cover")]   // header length one byte short: the padding's last space becomes data
    [InlineData(1, "header")]   // one byte long: the header swallows a data byte (not UTF-8, or not JSON)
    [InlineData(1L << 40, "header")]
    [InlineData(-8, "JSON")]
    public void A_header_length_off_by_anything_is_refused(long delta, string what)
    {
        var valid = Valid();
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(valid);
        var bad = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(bad, (ulong)((long)length + delta));
        Assert.Contains(what, HostileInputs.Refused($"length {delta:+0;-0}", "len.safetensors", () => SafeTensors.Parse(bad, "len.safetensors")).Message);
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "belong to no tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "cover")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "JSON")]
    [InlineData("{\"__metadata__\":[\"format\"]}", 0, "__metadata__")]
    [InlineData("{\"__metadata__\":{\"format\":{\"nested\":1}}}", 0, "not a string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1e30],\"data_offsets\":[0,4]}}", 4, "shape")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}", 4, "data_offsets")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,4]}}", 4, "elements")]
    [InlineData("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "dtype")]
    [InlineData("", 0, "JSON")]
    public void Headers_that_do_not_describe_their_data_exactly_are_refused(string header, int dataBytes, string what)
    {
        var bytes = SafeTensorsTests.File(header, dataBytes);
        Assert.Contains(what, HostileInputs.Refused(header, "h.safetensors", () => SafeTensors.Parse(bytes, "h.safetensors")).Message);
    }

    [Fact]
    public void A_tensor_name_that_is_not_utf8_is_refused_by_every_reader()
    {
        var header = Encoding.UTF8.GetBytes("{\"bad\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        header[2] = 0xC3; // a lead byte followed by 'a': not UTF-8
        header[3] = 0x28;
        string path = Path.Combine(_dir, "utf8.safetensors");
        File.WriteAllBytes(path, SafeTensorsTests.File(header, 4));
        Assert.Contains("UTF-8", HostileInputs.Refused("utf8", path, () => SafeTensors.Load(path)).Message);
        HostileInputs.Refused("utf8 header", path, () => SafeTensors.ReadHeader(path));
        HostileInputs.Refused("utf8 weights", path, () => new Linear(1, 1, new Generator(1)).LoadWeights(path));
    }

    [Fact]
    public void A_name_megabytes_long_or_with_line_breaks_stays_in_one_short_line()
    {
        string name = "x\n\r\t" + new string('n', 1_000_000);
        var bytes = SafeTensorsTests.File($"{{\"{name.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t")}\":{{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}}}", 8);
        var e = HostileInputs.Refused("long name", "long.safetensors", () => SafeTensors.Parse(bytes, "long.safetensors"));
        Assert.Contains("'x???nnnn", e.Message);
    }

    [Fact]
    public void Two_hundred_generated_misfits_of_a_model_are_summarised_in_one_short_line()
    {
        var rng = new Random(1307);
        string path = Path.Combine(_dir, "misfit.safetensors");
        var model = new Sequential(new Linear(4, 3, new Generator(1)), new Linear(3, 2, new Generator(2)));
        var own = model.StateDict(pytorchLayout: true);
        for (int i = 0; i < 200; i++)
        {
            var dict = new Dictionary<string, Tensor>();
            foreach (var (k, v) in own)
            {
                int fate = rng.Next(4);
                if (fate == 0) continue; // missing
                dict[k] = fate == 1 ? Tensor.Zeros(v.Shape.ToArray().Select(s => s + 1 + rng.Next(3)).ToArray()) : v; // mismatched or fine
            }
            int junk = rng.Next(3) switch { 0 => 0, 1 => rng.Next(1, 5), _ => rng.Next(100, 3000) };
            for (int j = 0; j < junk; j++)
                dict[j % 7 == 3 ? $"junk\n{j}." + new string('z', rng.Next(400)) : $"junk.{j}"] = Tensor.Zeros(1);
            SafeTensors.Save(path, dict);
            bool fits = dict.Count == own.Count && own.All(p => dict.TryGetValue(p.Key, out var t) && t.Shape.SequenceEqual(p.Value.Shape));
            var refusal = HostileInputs.Check($"misfit {i}", path, () => model.LoadWeights(path));
            Assert.Equal(fits, refusal is null);
            if (junk >= 100) Assert.Contains($"{junk:N0} unexpected keys", refusal!.Message);
        }
    }
}
