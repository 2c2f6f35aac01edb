using System.Formats.Tar;
using System.IO.Compression;
using FormerSearch.Data;
using FormerSearch.Testing;

namespace FormerSearch.Tests.Data;

/// <summary>
/// Hostile IDX and CIFAR files generated from valid ones with fixed seeds (raw and gzipped IDX, CIFAR-10 and -100 records,
/// a CIFAR archive), and data sets whose files disagree: each is read or refused in one short line naming the file, never
/// another exception and never an allocation for what a header merely claims.
/// </summary>
public sealed class DataHostileInputTests
{
    private static byte[] IdxImages() => DataFixtures.Idx(Enumerable.Range(0, 4 * 5 * 6).Select(i => (byte)i).ToArray(), 4, 5, 6);

    [Theory]
    [InlineData(false, 1321)]
    [InlineData(true, 1322)]
    public void Three_hundred_generated_idx_corruptions_are_read_or_refused_in_one_short_line(bool gzip, int seed)
    {
        using var files = new DataFixtures();
        var valid = gzip ? DataFixtures.Gzip(IdxImages()) : IdxImages();
        var cases = HostileInputs.Corruptions(valid, seed, count: 300, headerBytes: gzip ? 24 : 16);
        string path = files.PathOf(gzip ? "images.gz" : "images");
        foreach (var (name, bytes) in cases)
        {
            File.WriteAllBytes(path, bytes);
            var refusal = HostileInputs.Check(name, path, () => IdxFile.Read(path, 3, out _));
            if (!gzip && bytes.Length != valid.Length) Assert.True(refusal is not null, $"{name}: accepted");
        }
        Assert.Equal(300, cases.Count);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1 }, "fit")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0x01, 0, 0, 0, 0x01, 0, 0, 0, 0x07, 0xff }, "truncated")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 1 }, "too large")]
    [InlineData(new byte[] { 0, 0, 9, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0 }, "element type")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 0 }, "dimensions")]
    [InlineData(new byte[] { 1, 0, 8, 3 }, "magic")]
    [InlineData(new byte[] { 0, 0 }, "shorter")]
    public void Idx_headers_that_lie_are_refused_before_allocating(byte[] raw, string what)
    {
        using var files = new DataFixtures();
        foreach (bool gzip in new[] { false, true })
        {
            string path = files.PathOf(gzip ? "lie.gz" : "lie");
            File.WriteAllBytes(path, gzip ? DataFixtures.Gzip(raw) : raw);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Contains(what, HostileInputs.Refused(what, path, () => IdxFile.Read(path, 3, out _)).Message);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "a lying header made the reader allocate what it claims");
        }
    }

    [Fact]
    public void Idx_labels_that_disagree_with_the_images_are_refused()
    {
        using var files = new DataFixtures();
        files.WriteIdxSplit("t10k", 6, 28, 28, gzip: false);
        var labels = DataFixtures.Idx([1, 2, 3], 3);
        File.WriteAllBytes(files.PathOf("t10k-labels-idx1-ubyte"), labels);
        Assert.Contains("3 labels", HostileInputs.Refused("count", "t10k-labels", () => DatasetCatalog.Open(DatasetSpec.Parse("mnist"), files.Directory, DatasetSplitKind.Test)).Message);
        File.WriteAllBytes(files.PathOf("t10k-labels-idx1-ubyte"), DataFixtures.Idx([1, 2, 3, 4, 5, 10], 6));
        Assert.Contains("label 10", HostileInputs.Refused("range", "t10k-labels", () => DatasetCatalog.Open(DatasetSpec.Parse("mnist"), files.Directory, DatasetSplitKind.Test)).Message);
    }

    [Theory]
    [InlineData(1, 10, 1323)]
    [InlineData(2, 100, 1324)]
    public void Three_hundred_generated_cifar_corruptions_are_read_or_refused_in_one_short_line(int labelBytes, int classes, int seed)
    {
        var valid = DataFixtures.CifarRecords(3, labelBytes);
        var cases = HostileInputs.Corruptions(valid, seed, count: 300, headerBytes: 8);
        foreach (var (name, bytes) in cases)
        {
            var refusal = HostileInputs.Check(name, "data_batch.bin", () => CifarBinary.Parse(bytes, "data_batch.bin", labelBytes, classes, [], []));
            if (bytes.Length != valid.Length) Assert.True(refusal is not null, $"{name}: accepted");
        }
    }

    [Theory]
    [InlineData(0, 10, "label 10")]
    [InlineData(0, 200, "label 200")]
    public void Cifar_labels_out_of_range_are_refused(int at, byte label, string what)
    {
        var ten = DataFixtures.CifarRecords(2, 1);
        ten[at] = label;
        Assert.Contains(what, HostileInputs.Refused(what, "c10.bin", () => CifarBinary.Parse(ten, "c10.bin", 1, 10, [], [])).Message);
        var hundred = DataFixtures.CifarRecords(2, 2);
        hundred[at] = (byte)(label + 20); // a coarse label beyond CIFAR-100's 20 superclasses
        Assert.Contains("coarse", HostileInputs.Refused("coarse", "c100.bin", () => CifarBinary.Parse(hundred, "c100.bin", 2, 100, [], [])).Message);
    }

    [Fact]
    public void Two_hundred_generated_cifar_archive_corruptions_are_read_or_refused()
    {
        using var files = new DataFixtures();
        byte[] valid;
        using (var memory = new MemoryStream())
        {
            using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            using (var tar = new TarWriter(gz))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, "cifar-10-batches-bin/test_batch.bin") { DataStream = new MemoryStream(DataFixtures.CifarRecords(2, 1)) };
                tar.WriteEntry(entry);
            }
            valid = memory.ToArray();
        }
        string path = files.PathOf("cifar-10-binary.tar.gz");
        foreach (var (name, bytes) in HostileInputs.Corruptions(valid, seed: 1325, count: 200, headerBytes: 32))
        {
            File.WriteAllBytes(path, bytes);
            HostileInputs.Check(name, path, () => CifarBinary.ReadFromArchive(path, ["test_batch.bin"]));
        }
    }

    [Fact]
    public void An_archive_member_claiming_an_absurd_size_is_refused()
    {
        using var files = new DataFixtures();
        // A ustar header whose size field claims 077777777777 bytes (8 GB), with no data behind it.
        var header = new byte[512];
        System.Text.Encoding.ASCII.GetBytes("test_batch.bin").CopyTo(header, 0);
        System.Text.Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        System.Text.Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        System.Text.Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        System.Text.Encoding.ASCII.GetBytes("77777777777\0").CopyTo(header, 124);
        System.Text.Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)'0';
        System.Text.Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        "        "u8.CopyTo(header.AsSpan(148));
        int sum = header.Sum(b => b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        string path = files.PathOf("cifar-10-binary.tar.gz");
        File.WriteAllBytes(path, DataFixtures.Gzip([.. header, .. new byte[1024]]));
        HostileInputs.Refused("absurd member", path, () => CifarBinary.ReadFromArchive(path, ["test_batch.bin"]));
    }
}
