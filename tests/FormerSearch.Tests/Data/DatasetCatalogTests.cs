using System.Diagnostics;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using Xunit.Abstractions;

namespace FormerSearch.Tests.Data;

public sealed class DatasetCatalogTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true, "")]
    [InlineData(false, "")]
    [InlineData(true, "FashionMNIST/raw")]
    public void Reads_idx_files_gzipped_or_raw(bool gzip, string sub)
    {
        using var files = new DataFixtures();
        files.WriteIdxSplit("train", 12, 5, 4, gzip, sub);
        files.WriteIdxSplit("t10k", 3, 5, 4, gzip, sub);
        var spec = DatasetSpec.Parse("fashion-mnist");
        var train = DatasetCatalog.Open(spec, files.Directory, DatasetSplitKind.Train);
        var test = DatasetCatalog.Open(spec, files.Directory, DatasetSplitKind.Test);
        Assert.Equal((12, 1, 5, 4, 10), (train.Count, train.Channels, train.Height, train.Width, train.NumClasses));
        Assert.Equal(3, test.Count);
        Assert.True(train.IsUInt8);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(i % 10, train.Labels[i]);
            var image = train.ImageBytes(i);
            for (int p = 0; p < 20; p++) Assert.Equal(DataFixtures.Pixel(i, p), image[p]);
        }
        Assert.Equal([0.2860f], train.Mean);
        Assert.Equal([0.3530f], train.Std);
    }

    [Fact]
    public void Published_normalisation_statistics()
    {
        using var files = new DataFixtures();
        files.WriteIdxSplit("train", 2, 3, 3, gzip: false);
        var mnist = DatasetCatalog.Open(DatasetSpec.Parse("mnist"), files.Directory, DatasetSplitKind.Train);
        Assert.Equal([0.1307f], mnist.Mean);
        Assert.Equal([0.3081f], mnist.Std);
        File.WriteAllBytes(files.PathOf("test_batch.bin"), DataFixtures.CifarRecords(2, 1));
        var c10 = DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), files.Directory, DatasetSplitKind.Test);
        Assert.Equal([0.4914f, 0.4822f, 0.4465f], c10.Mean);
        Assert.Equal([0.2470f, 0.2435f, 0.2616f], c10.Std);
        File.WriteAllBytes(files.PathOf("test.bin"), DataFixtures.CifarRecords(2, 2));
        var c100 = DatasetCatalog.Open(DatasetSpec.Parse("cifar100"), files.Directory, DatasetSplitKind.Test);
        Assert.Equal([0.5071f, 0.4865f, 0.4409f], c100.Mean);
        Assert.Equal([0.2673f, 0.2564f, 0.2762f], c100.Std);
    }

    [Fact]
    public void Reads_cifar10_batches_channels_last_from_the_unpacked_folder()
    {
        using var files = new DataFixtures();
        string folder = files.PathOf("cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(folder, $"data_batch_{b}.bin"), DataFixtures.CifarRecords(3, 1, firstIndex: 3 * (b - 1)));
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), DataFixtures.CifarRecords(2, 1));
        var train = DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), files.Directory, DatasetSplitKind.Train);
        Assert.Equal((15, 3, 32, 32, 10), (train.Count, train.Channels, train.Height, train.Width, train.NumClasses));
        for (int i = 0; i < 15; i++)
        {
            Assert.Equal(i % 10, train.Labels[i]);
            var image = train.ImageBytes(i);
            foreach (int p in new[] { 0, 1, 33, 1023 })
                for (int c = 0; c < 3; c++) Assert.Equal(DataFixtures.CifarPixel(i, c, p), image[p * 3 + c]);
        }
        Assert.Equal(2, DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), files.Directory, DatasetSplitKind.Test).Count);
    }

    [Fact]
    public void Reads_the_downloaded_cifar_archives_without_unpacking()
    {
        using var files = new DataFixtures();
        static void WriteArchive(string path, string folder, (string Name, byte[] Bytes)[] members)
        {
            using var file = File.Create(path);
            using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
            using var tar = new System.Formats.Tar.TarWriter(gz);
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, folder + "/"));
            foreach (var (name, bytes) in members)
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"{folder}/{name}") { DataStream = new MemoryStream(bytes) });
        }
        WriteArchive(files.PathOf("cifar-10-binary.tar.gz"), "cifar-10-batches-bin",
            [.. Enumerable.Range(1, 5).Select(b => ($"data_batch_{b}.bin", DataFixtures.CifarRecords(2, 1, firstIndex: 2 * (b - 1)))), ("test_batch.bin", DataFixtures.CifarRecords(3, 1)), ("batches.meta.txt", new byte[7])]);
        var train = DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), files.Directory, DatasetSplitKind.Train);
        Assert.Equal(10, train.Count);
        Assert.Equal(DataFixtures.CifarPixel(9, 1, 7), train.ImageBytes(9)[7 * 3 + 1]);
        Assert.Equal(3, DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), files.Directory, DatasetSplitKind.Test).Count);
        WriteArchive(files.PathOf("cifar-100-binary.tar.gz"), "cifar-100-binary", [("train.bin", DataFixtures.CifarRecords(4, 2))]);
        Assert.Equal(4, DatasetCatalog.Open(DatasetSpec.Parse("cifar100"), files.Directory, DatasetSplitKind.Train).Count);
        var missing = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("cifar100"), files.Directory, DatasetSplitKind.Test));
        Assert.Contains("test.bin", missing.Message);
        var whole = File.ReadAllBytes(files.PathOf("cifar-10-binary.tar.gz"));
        File.WriteAllBytes(files.PathOf("cifar-10-binary.tar.gz"), whole[..(whole.Length / 2)]);
        var cut = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), files.Directory, DatasetSplitKind.Train));
        Assert.Contains("cifar-10-binary.tar.gz", cut.Message);
    }

    [Fact]
    public void Reads_cifar100_fine_labels()
    {
        using var files = new DataFixtures();
        File.WriteAllBytes(files.PathOf("train.bin"), DataFixtures.CifarRecords(130, 2));
        var train = DatasetCatalog.Open(DatasetSpec.Parse("cifar100"), files.Directory, DatasetSplitKind.Train);
        Assert.Equal((130, 100), (train.Count, train.NumClasses));
        Assert.Equal(99, train.Labels[99]);
        Assert.Equal(29, train.Labels[129]);
        Assert.Equal(DataFixtures.CifarPixel(129, 2, 5), train.ImageBytes(129)[5 * 3 + 2]);
    }

    [Fact]
    public void Reads_npy_uint8_images_with_statistics_from_the_training_pair()
    {
        using var files = new DataFixtures();
        // [N=4, C=3, H=2, W=2]: value encodes (n, c, y, x).
        var nchw = new byte[4 * 3 * 2 * 2];
        for (int n = 0; n < 4; n++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 4; p++) nchw[((n * 3) + c) * 4 + p] = (byte)(n * 50 + c * 10 + p);
        Npy.SaveBytes(files.PathOf("x.npy"), nchw, 4, 3, 2, 2);
        File.WriteAllBytes(files.PathOf("y.npy"), DataFixtures.NpyInt64([0, 2, 1, 2]));
        var data = DatasetCatalog.Open(DatasetSpec.Parse("npy:x.npy,y.npy"), files.Directory, DatasetSplitKind.Train);
        Assert.Equal((4, 3, 2, 2, 3), (data.Count, data.Channels, data.Height, data.Width, data.NumClasses));
        Assert.True(data.IsUInt8);
        Assert.Equal([0, 2, 1, 2], data.Labels);
        Assert.Equal((byte)(3 * 50 + 2 * 10 + 3), data.ImageBytes(3)[3 * 3 + 2]);   // pixel (1,1), channel 2
        for (int c = 0; c < 3; c++)
        {
            double[] values = [.. Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 4).Select(p => (n * 50 + c * 10 + p) / 255.0))];
            double mean = values.Average();
            double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
            Assert.Equal(mean, data.Mean[c], 5);
            Assert.Equal(std, data.Std[c], 5);
        }
        // With only one pair, the test split is the same pair.
        Assert.Equal(4, DatasetCatalog.Open(DatasetSpec.Parse("npy:x.npy,y.npy"), files.Directory, DatasetSplitKind.Test).Count);
    }

    [Fact]
    public void Reads_npy_float32_images_as_they_are_and_a_separate_test_pair()
    {
        using var files = new DataFixtures();
        var x = Tensor.FromArray([.. Enumerable.Range(0, 2 * 2 * 3 * 1).Select(i => i * 0.5f - 1f)], 2, 2, 3, 1);   // [N, C, H, W]
        Npy.Save(files.PathOf("x.npy"), x);
        File.WriteAllBytes(files.PathOf("y.npy"), DataFixtures.NpyInt64([4, 1]));
        Npy.Save(files.PathOf("tx.npy"), Tensor.FromArray(new float[6], 1, 2, 3, 1));
        File.WriteAllBytes(files.PathOf("ty.npy"), DataFixtures.NpyInt64([0]));
        var spec = DatasetSpec.Parse($"npy:{files.PathOf("x.npy")},{files.PathOf("y.npy")},tx.npy,ty.npy");
        var train = DatasetCatalog.Open(spec, files.Directory, DatasetSplitKind.Train);
        Assert.False(train.IsUInt8);
        Assert.Equal((2, 2, 3, 1, 5), (train.Count, train.Channels, train.Height, train.Width, train.NumClasses));
        Assert.Equal([0f, 0f], train.Mean);
        Assert.Equal([1f, 1f], train.Std);
        // Channels-last: image 1, pixel (y=2, x=0), channel 1 = NCHW element [1, 1, 2, 0] = index 6 + 3 + 2 = 11.
        Assert.Equal(11 * 0.5f - 1f, train.ImageFloats(1)[2 * 2 + 1]);
        var test = DatasetCatalog.Open(spec, files.Directory, DatasetSplitKind.Test);
        Assert.Equal((1, 5), (test.Count, test.NumClasses));
    }

    [Fact]
    public void Missing_files_name_the_file_and_what_to_do()
    {
        using var files = new DataFixtures();
        var e = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("fashion-mnist"), files.Directory, DatasetSplitKind.Train));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("--data-dir", e.Message);
        var c = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), null, DatasetSplitKind.Train));
        Assert.Contains("--data-dir", c.Message);
        var n = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("npy:nothere.npy,y.npy"), files.Directory, DatasetSplitKind.Train));
        Assert.Contains("nothere.npy", n.Message);
        files.WriteIdxSplit("train", 2, 2, 2, gzip: true);
        File.Delete(files.PathOf("train-labels-idx1-ubyte.gz"));
        var l = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("mnist"), files.Directory, DatasetSplitKind.Train));
        Assert.Contains("train-labels-idx1-ubyte", l.Message);
    }

    [Fact]
    public void Corrupt_and_truncated_files_name_the_file()
    {
        using var files = new DataFixtures();
        var spec = DatasetSpec.Parse("mnist");
        void Expect(string file, byte[] bytes, string what)
        {
            files.WriteIdxSplit("train", 4, 3, 3, gzip: false);
            File.WriteAllBytes(files.PathOf(file), bytes);
            var e = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(spec, files.Directory, DatasetSplitKind.Train));
            Assert.Contains(file, e.Message);
            Assert.Contains(what, e.Message);
        }
        var good = DataFixtures.Idx(new byte[4 * 9], 4, 3, 3);
        Expect("train-images-idx3-ubyte", good[..^1], "truncated");
        Expect("train-images-idx3-ubyte", good[..6], "truncated");
        Expect("train-images-idx3-ubyte", [.. good, 0], "after the data");
        Expect("train-images-idx3-ubyte", [1, 2, 3, 4, 5, 6, 7, 8], "magic");
        Expect("train-images-idx3-ubyte", DataFixtures.Idx(new byte[4 * 9], 4, 9), "dimensions");
        Expect("train-labels-idx1-ubyte", DataFixtures.Idx(new byte[3], 3), "3 labels");
        Expect("train-labels-idx1-ubyte", DataFixtures.Idx([0, 1, 2, 200], 4), "label 200");

        // A gzip file cut short or with a damaged body.
        files.WriteIdxSplit("train", 4, 3, 3, gzip: false);
        File.Delete(files.PathOf("train-images-idx3-ubyte"));
        var gz = DataFixtures.Gzip(good);
        File.WriteAllBytes(files.PathOf("train-images-idx3-ubyte.gz"), gz[..(gz.Length / 2)]);
        var cut = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(spec, files.Directory, DatasetSplitKind.Train));
        Assert.Contains("train-images-idx3-ubyte.gz", cut.Message);
        var damaged = (byte[])gz.Clone();
        for (int i = 12; i < damaged.Length - 8; i++) damaged[i] ^= 0x5A;
        File.WriteAllBytes(files.PathOf("train-images-idx3-ubyte.gz"), damaged);
        var bad = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(spec, files.Directory, DatasetSplitKind.Train));
        Assert.Contains("train-images-idx3-ubyte.gz", bad.Message);

        File.WriteAllBytes(files.PathOf("test_batch.bin"), DataFixtures.CifarRecords(2, 1)[..^5]);
        var cifar = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), files.Directory, DatasetSplitKind.Test));
        Assert.Contains("test_batch.bin", cifar.Message);
        File.WriteAllBytes(files.PathOf("test_batch.bin"), DataFixtures.CifarRecords(2, 2));   // CIFAR-100 records read as CIFAR-10
        Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("cifar10"), files.Directory, DatasetSplitKind.Test));

        Npy.SaveBytes(files.PathOf("x.npy"), new byte[12], 3, 1, 2, 2);
        File.WriteAllBytes(files.PathOf("y.npy"), DataFixtures.NpyInt64([0, 1]));
        var count = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("npy:x.npy,y.npy"), files.Directory, DatasetSplitKind.Train));
        Assert.Contains("y.npy", count.Message);
        File.WriteAllBytes(files.PathOf("x.npy"), File.ReadAllBytes(files.PathOf("x.npy"))[..^2]);
        var truncated = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("npy:x.npy,y.npy"), files.Directory, DatasetSplitKind.Train));
        Assert.Contains("x.npy", truncated.Message);
        File.WriteAllBytes(files.PathOf("x.npy"), DataFixtures.NpyInt64([1, 2, 3]));
        var dtype = Assert.Throws<UserInputException>(() => DatasetCatalog.Open(DatasetSpec.Parse("npy:x.npy,y.npy"), files.Directory, DatasetSplitKind.Train));
        Assert.Contains("x.npy", dtype.Message);
    }

    [Fact]
    public void Real_fashion_mnist_when_installed()
    {
        // Present when the Debian package dataset-fashion-mnist is installed; nothing to check otherwise.
        if (!File.Exists(Path.Combine(DatasetCatalog.FashionMnistDefaultDirectory, "train-images-idx3-ubyte.gz"))) return;
        var clock = Stopwatch.StartNew();
        var train = DatasetCatalog.Open(DatasetSpec.Parse("fashion-mnist"), null, DatasetSplitKind.Train);
        double seconds = clock.Elapsed.TotalSeconds;
        var test = DatasetCatalog.Open(DatasetSpec.Parse("fashion-mnist"), null, DatasetSplitKind.Test);
        output.WriteLine($"Fashion-MNIST train loaded from .gz in {seconds:F3} s");
        Assert.Equal((60000, 1, 28, 28, 10), (train.Count, train.Channels, train.Height, train.Width, train.NumClasses));
        Assert.Equal(10000, test.Count);
        var counts = new int[10];
        foreach (int l in train.Labels) counts[l]++;
        Assert.All(counts, c => Assert.Equal(6000, c));
        // The published mean and std are those of these very pixels.
        var all = new byte[train.Count * train.ImageSize];
        for (int i = 0; i < train.Count; i++) train.ImageBytes(i).CopyTo(all.AsSpan(i * train.ImageSize));
        var (mean, std) = ImageDataset.ComputeStatistics(all, 1);
        Assert.Equal(0.2860f, mean[0], 3);
        Assert.Equal(0.3530f, std[0], 3);

        // The loader on the real thing: 64-image batches at 3×64×64 with the full augmentation.
        var (part, _) = HoldOut.Split(train, 10000, seed: 0);
        var loader = new DataLoader(part, 64, shuffle: true, dropLast: true, Augmentation.Default(part).WithTimmRegularisation(),
            new FormerSearch.Models.ModelInput(3, 64, 64), 10, seed: 0, labelSmoothing: 0.1f);
        clock.Restart();
        int batches = 0;
        foreach (var batch in loader.Epoch(0))
        {
            batch.Dispose();
            if (++batches == 100) break;
        }
        output.WriteLine($"Fashion-MNIST batches of 64 at 3x64x64, crop+flip+erasing+mixup/cutmix: {clock.Elapsed.TotalMilliseconds / batches:F2} ms each");
    }
}
