using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;
using FormerSearch.Models;
using SkiaSharp;

namespace FormerSearch.Tests.Data.Folders;

/// <summary>Image-folder data sets over the decoded cache: formats, bad files, invalidation, concurrent builders, splits.</summary>
public sealed class ImageFolderDataTests
{
    private static readonly ModelInput Grey8 = new(1, 8, 8);

    [Fact]
    public void Reads_every_format_skips_bad_files_and_names_them()
    {
        using var tree = new TempTree();
        var images = MixedFolder(tree, "data");
        var reporter = new RecordingReporter();
        var (train, _) = Open(tree, "data", reporter, testSize: 1);
        Assert.Equal(3, reporter.Warnings.Count);
        var all = Join(train, tree, "data", reporter);

        Assert.Equal(["cat", "dog", "emu"], train.ClassNames);
        Assert.Equal(3, train.Skipped.Count);
        Assert.Equal(["cat/bad/zero.png", "dog/cut.png", "emu/junk.jpg"], train.Skipped.Select(s => Path.GetRelativePath(tree.PathOf("data"), s.Path)));
        Assert.Contains(reporter.Warnings, w => w.Contains("zero.png") && w.Contains("it is empty (0 bytes)"));
        // Seven readable files: 6 for training, 1 held out for test.
        Assert.Equal(6, train.Count);
        Assert.Equal(images.Count, all.Count);
        foreach (var (relative, pixels) in images)
        {
            int at = all.FindIndex(x => x.Path == relative);
            Assert.True(at >= 0, relative);
            if (relative.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || relative.EndsWith(".bmp", StringComparison.Ordinal))
                Assert.Equal(pixels, all[at].Pixels);
        }
    }

    [Fact]
    public void A_second_open_reads_the_cache_and_any_change_rebuilds_it()
    {
        using var tree = new TempTree();
        MixedFolder(tree, "data");
        var first = new RecordingReporter();
        var (a, _) = Open(tree, "data", first, testSize: 1);
        Assert.Equal(1, first.Decodings);
        Assert.Equal(10, first.Advanced);

        var second = new RecordingReporter();
        var (b, _) = Open(tree, "data", second, testSize: 1);
        Assert.Equal(0, second.Decodings);
        Assert.Contains(second.Logs, l => l.StartsWith("reading the decoded images", StringComparison.Ordinal));
        Assert.Equal(Pixels(a), Pixels(b));
        Assert.Equal(a.Mean, b.Mean);

        // A changed modification time, an added file and a removed file each rebuild.
        File.SetLastWriteTimeUtc(tree.PathOf("data/cat/a.png"), DateTime.UtcNow.AddMinutes(-5));
        var changed = new RecordingReporter();
        Open(tree, "data", changed, testSize: 1);
        Assert.Equal(1, changed.Decodings);
        Assert.Contains(changed.Logs, l => l.Contains("0 file(s) added, 0 removed, 1 changed"));

        tree.Write("data/dog/new.png", TestImages.Encode(TestImages.Smooth(8, 8, 1, 9), 8, 8, 1, SKEncodedImageFormat.Png));
        var added = new RecordingReporter();
        var (c, _) = Open(tree, "data", added, testSize: 1);
        Assert.Equal(1, added.Decodings);
        Assert.Equal(a.Count + 1, c.Count);

        File.Delete(tree.PathOf("data/dog/new.png"));
        File.Delete(tree.PathOf("data/emu/junk.jpg"));
        var removed = new RecordingReporter();
        var (d, _) = Open(tree, "data", removed, testSize: 1);
        Assert.Equal(1, removed.Decodings);
        Assert.Equal(2, d.Skipped.Count);

        // Another size is another cache, built alongside.
        var bigger = new RecordingReporter();
        ImageFolderData.Open(DatasetSpec.Parse($"folder:{tree.PathOf("data")}"), null, Options(tree, bigger, 1) with { Input = new ModelInput(3, 12, 12) }, 0);
        Assert.Equal(1, bigger.Decodings);
        Assert.Equal(2, Directory.GetFiles(tree.PathOf("cache/images"), "*.cache").Length);
    }

    [Fact]
    public void Two_concurrent_builders_both_finish_and_leave_one_good_cache()
    {
        using var tree = new TempTree();
        MixedFolder(tree, "data");
        for (int i = 0; i < 40; i++)
            tree.Write($"data/dog/more{i:D2}.png", TestImages.Encode(TestImages.Smooth(30, 30, 3, i), 30, 30, 3, SKEncodedImageFormat.Png));
        var reporters = new[] { new RecordingReporter(), new RecordingReporter() };
        using var start = new Barrier(2);
        var results = new ImageDataset[2];
        Parallel.For(0, 2, i =>
        {
            start.SignalAndWait();
            results[i] = Open(tree, "data", reporters[i], testSize: 1).Train;
        });
        Assert.All(reporters, r => Assert.Equal(1, r.Decodings));
        Assert.Equal(Pixels(results[0]), Pixels(results[1]));
        Assert.Single(Directory.GetFiles(tree.PathOf("cache/images")));   // no temporary file left behind
        var third = new RecordingReporter();
        var again = Open(tree, "data", third, testSize: 1).Train;
        Assert.Equal(0, third.Decodings);
        Assert.Equal(Pixels(results[0]), Pixels(again));
    }

    [Fact]
    public void Strict_images_and_classes_without_a_readable_image_are_errors()
    {
        using var tree = new TempTree();
        MixedFolder(tree, "data");
        var strict = Assert.Throws<UserInputException>(() => ImageFolderData.Open(DatasetSpec.Parse($"folder:{tree.PathOf("data")}"), null,
            Options(tree, new RecordingReporter(), 1) with { StrictImages = true }, 0));
        Assert.Contains("zero.png' cannot be read: it is empty (0 bytes) (and 2 more unreadable files", strict.Message);
        Assert.Contains("--strict-images", strict.Message);

        tree.Touch("only-bad/cat/a.png");
        tree.Write("only-bad/dog/b.png", TestImages.Encode(TestImages.Smooth(8, 8, 1), 8, 8, 1, SKEncodedImageFormat.Png));
        var empty = Assert.Throws<UserInputException>(() => Open(tree, "only-bad", new RecordingReporter(), testSize: 1));
        Assert.Contains("a class folder with no readable image ('cat')", empty.Message);

        var noTest = Assert.Throws<UserInputException>(() => Open(tree, "data", new RecordingReporter(), testSize: 0));
        Assert.Contains("has no test/ or val/ folder: hold out test images with --test-size N", noTest.Message);
        var tooMany = Assert.Throws<UserInputException>(() => Open(tree, "data", new RecordingReporter(), testSize: 8));
        Assert.Contains("--test-size 8 is invalid", tooMany.Message);
        var channels = Assert.Throws<UserInputException>(() => ImageFolderData.Open(DatasetSpec.Parse($"folder:{tree.PathOf("data")}"), null,
            Options(tree, new RecordingReporter(), 1) with { Input = new ModelInput(2, 8, 8) }, 0));
        Assert.Contains("1 (grey) or 3 (RGB) channels", channels.Message);
    }

    [Fact]
    public void Held_out_test_and_validation_images_are_disjoint_and_fixed_by_the_seed()
    {
        using var tree = new TempTree();
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 15; i++)
                tree.Write($"pool/c{c}/{i:D2}.png", TestImages.Encode(Unique(c * 15 + i), 8, 8, 1, SKEncodedImageFormat.Png));
        var options = Options(tree, new RecordingReporter(), 6);
        var spec = DatasetSpec.Parse($"folder:{tree.PathOf("pool")}");
        var splits = DataSplits.Open(spec, null, valSize: 5, seed: 3, options);
        var again = DataSplits.Open(spec, null, valSize: 5, seed: 3, options);
        var other = DataSplits.Open(spec, null, valSize: 5, seed: 4, options);
        Assert.Equal((19, 5, 6), (splits.Train.Count, splits.Validation!.Count, splits.Test.Count));
        var train = Ids(splits.Train);
        var val = Ids(splits.Validation);
        var test = Ids(splits.Test);
        Assert.Empty(train.Intersect(val));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(val.Intersect(test));
        Assert.Equal(30, train.Union(val).Union(test).Count());
        Assert.Equal(test, Ids(again.Test));
        Assert.Equal(val, Ids(again.Validation!));
        Assert.NotEqual(test, Ids(other.Test));
        // The test images share the training normalisation.
        Assert.Equal(splits.Train.Mean, splits.Test.Mean);
    }

    [Fact]
    public void ImageNet_style_roots_and_two_folder_specs_take_their_test_folder()
    {
        using var tree = new TempTree();
        foreach (string split in new[] { "train", "val" })
            for (int c = 0; c < 2; c++)
                for (int i = 0; i < 3; i++)
                    tree.Write($"inet/{split}/class{c}/{i}.png", TestImages.Encode(Unique(10 * c + i + (split == "val" ? 100 : 0)), 8, 8, 1, SKEncodedImageFormat.Png));
        var reporter = new RecordingReporter();
        var (train, test) = ImageFolderData.Open(DatasetSpec.Parse($"folder:{tree.PathOf("inet")}"), null, Options(tree, reporter, 0), 0);
        Assert.Equal(6, train.Count);
        Assert.Equal(6, test().Count);
        Assert.Contains(reporter.Logs, l => l.Contains("training images from train/, test images from val/"));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => Unique(100 + 10 * (i / 3) + i % 3)), Enumerable.Range(0, 6).Select(i => test().ImageBytes(i).ToArray()));

        var (train2, test2) = ImageFolderData.Open(DatasetSpec.Parse("folder:inet/train,inet/val"), tree.Root, Options(tree, reporter, 0), 0);
        Assert.Equal(Pixels(train), Pixels(train2));
        Assert.Equal(Pixels(test()), Pixels(test2()));
        var both = Assert.Throws<UserInputException>(() => ImageFolderData.Open(DatasetSpec.Parse($"folder:{tree.PathOf("inet")}"), null, Options(tree, reporter, 2), 0));
        Assert.Contains("leave --test-size out", both.Message);
    }

    // cat: a.png (grey PNG), b.JPG (upper-case JPEG), bad/zero.png (nested, empty); dog: c.bmp, deep/er/d.webp, cut.png
    // (truncated); emu: e.png, f.Png, g.gif is not written (SkiaSharp cannot), junk.jpg (garbage), h.jpeg. Returns the
    // readable files and their 8×8 grey pixels.
    private static List<(string Path, byte[] Pixels)> MixedFolder(TempTree tree, string root)
    {
        var files = new List<(string, byte[])>();
        void Add(string relative, SKEncodedImageFormat format, int seed)
        {
            var grey = TestImages.Smooth(8, 8, 1, seed);
            var bytes = format == SKEncodedImageFormat.Bmp ? TestImages.Bmp(grey, 8, 8, 1) : TestImages.Encode(grey, 8, 8, 1, format, 100);
            tree.Write($"{root}/{relative}", bytes);
            files.Add((relative, grey));
        }
        Add("cat/a.png", SKEncodedImageFormat.Png, 1);
        Add("cat/b.JPG", SKEncodedImageFormat.Jpeg, 2);
        tree.Touch($"{root}/cat/bad/zero.png");
        Add("dog/c.bmp", SKEncodedImageFormat.Bmp, 3);
        Add("dog/deep/er/d.webp", SKEncodedImageFormat.Webp, 4);
        var png = TestImages.Encode(TestImages.Smooth(40, 40, 3), 40, 40, 3, SKEncodedImageFormat.Png);
        tree.Write($"{root}/dog/cut.png", png[..(png.Length / 2)]);
        Add("emu/e.png", SKEncodedImageFormat.Png, 5);
        Add("emu/f.Png", SKEncodedImageFormat.Png, 6);
        tree.Write($"{root}/emu/junk.jpg", [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 31))]);
        Add("emu/h.jpeg", SKEncodedImageFormat.Jpeg, 7);
        tree.Write($"{root}/emu/notes.txt", [1, 2, 3]);
        return files;
    }

    private static ImageFolderOptions Options(TempTree tree, IImageFolderReporter reporter, int testSize) =>
        new() { Input = Grey8, CacheDirectory = tree.PathOf("cache"), TestSize = testSize, Reporter = reporter, Threads = 2 };

    private static (ImageDataset Train, ImageDataset Test) Open(TempTree tree, string root, IImageFolderReporter reporter, int testSize)
    {
        var (train, test) = ImageFolderData.Open(DatasetSpec.Parse($"folder:{tree.PathOf(root)}"), null, Options(tree, reporter, testSize), seed: 0);
        return (train, test());
    }

    // Every readable image of the folder (training and held-out test images) with its path relative to the root, found by
    // its slot in the decoded cache (one slot per listed file).
    private static List<(string Path, byte[] Pixels)> Join(ImageDataset train, TempTree tree, string root, IImageFolderReporter reporter)
    {
        var listing = ImageFolderListing.Scan(tree.PathOf(root));
        var (_, test) = Open(tree, root, reporter, 1);
        var all = new List<(string, byte[])>();
        for (int slot = 0; slot < listing.Files.Count; slot++)
        {
            foreach (var data in new[] { train, test })
                for (int i = 0; i < data.Count; i++)
                    if (data.StorageIndex(i) == slot) all.Add((listing.Files[slot].RelativePath, data.ImageBytes(i).ToArray()));
        }
        return all;
    }

    private static byte[] Unique(int id)
    {
        var pixels = new byte[64];
        for (int p = 0; p < 64; p++) pixels[p] = (byte)((id * 7 + p * 3) % 256);
        return pixels;
    }

    private static List<byte[]> Pixels(ImageDataset data) => [.. Enumerable.Range(0, data.Count).Select(i => data.ImageBytes(i).ToArray())];

    private static HashSet<string> Ids(ImageDataset data) => [.. Enumerable.Range(0, data.Count).Select(i => Convert.ToHexString(data.ImageBytes(i)))];
}
