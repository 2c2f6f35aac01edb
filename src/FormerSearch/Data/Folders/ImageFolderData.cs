using FormerSearch.Engine;

namespace FormerSearch.Data.Folders;

/// <summary>
/// Opens a <c>folder:</c> data set as training and test <see cref="ImageDataset"/>s over decoded caches. A root whose only
/// sub-folders are <c>train/</c> and <c>val/</c> or <c>test/</c> (ImageNet's layout) is split by them (<c>test/</c> is the test
/// set when both are there); <c>folder:TRAIN_DIR,TEST_DIR</c> names both; any other folder is one pool from which
/// <see cref="ImageFolderOptions.TestSize"/> images are held out as the test set, chosen by the split seed, before any
/// validation images are. The test set uses the training classes and normalisation; mean and std come from the training
/// images' pixels.
/// </summary>
public static class ImageFolderData
{
    private const int NamedWarnings = 10;

    /// <summary>The training set and a way to open the test set (decoded on first use when it is a folder of its own).</summary>
    /// <exception cref="UserInputException">
    /// A folder is missing or badly laid out, a class has no readable image, a file is unreadable under
    /// <see cref="ImageFolderOptions.StrictImages"/>, the channels are not 1 or 3, or the test split is impossible (none
    /// asked for a folder without one, one asked for a folder that has one, or more than the images).
    /// </exception>
    public static (ImageDataset Train, Func<ImageDataset> Test) Open(DatasetSpec spec, string? dataDir, ImageFolderOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (spec.Kind != DatasetKind.Folder) throw new ArgumentException($"{spec} is not an image folder.", nameof(spec));
        if (options.Input.Channels is not (1 or 3))
            throw new UserInputException($"An image folder is decoded to 1 (grey) or 3 (RGB) channels; the model input {options.Input} has {options.Input.Channels}.");
        var (trainDir, testDir) = Locate(spec, dataDir, options);
        if (testDir is null && options.TestSize <= 0)
            throw new UserInputException($"Image folder '{trainDir}' has no test/ or val/ folder: hold out test images with --test-size N, or name a test folder with folder:TRAIN_DIR,TEST_DIR.");
        if (testDir is not null && options.TestSize > 0)
            throw new UserInputException($"--test-size {options.TestSize} is for a folder without a test set, but '{spec}' has one ('{testDir}'); leave --test-size out.");

        var decoded = Decode(ImageFolderListing.Scan(trainDir), options, requireEveryClass: true);
        var slots = ReadableSlots(decoded);
        string name = spec.ToString();
        if (testDir is not null)
        {
            var train = Dataset($"{name} train", decoded, slots, decoded.Header, slots);
            ImageDataset? test = null;
            return (train, () => test ??= TestFolder(name, testDir, decoded.Listing.Classes, train, options));
        }
        if (options.TestSize >= slots.Length)
            throw new UserInputException($"--test-size {options.TestSize} is invalid: it must be below the {slots.Length} readable images of '{trainDir}'.");
        // The test images: a seeded permutation's first TestSize readable images, kept in listing order (as HoldOut does).
        var permutation = HoldOut.Permutation(slots.Length, new Generator(SeedSequence.Derive(seed, SeedSequence.TestHoldOutStream)));
        var isTest = new bool[slots.Length];
        for (int i = 0; i < options.TestSize; i++) isTest[permutation[i]] = true;
        var trainSlots = slots.Where((_, i) => !isTest[i]).ToArray();
        var testSlots = slots.Where((_, i) => isTest[i]).ToArray();
        var trainPart = Dataset($"{name} train", decoded, trainSlots, decoded.Header, trainSlots);
        var testPart = Dataset($"{name} test", decoded, testSlots, decoded.Header, trainSlots);
        return (trainPart, () => testPart);
    }

    // The training folder and the test folder (null when the test set is held out of the one folder).
    private static (string Train, string? Test) Locate(DatasetSpec spec, string? dataDir, ImageFolderOptions options)
    {
        string root = Resolve(spec.Folder!, dataDir);
        if (spec.TestFolder is { } test) return (root, Resolve(test, dataDir));
        if (!Directory.Exists(root)) return (root, null); // the listing says what is wrong with it
        var subfolders = Directory.GetDirectories(root).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        bool imageNetStyle = subfolders.Contains("train") && (subfolders.Contains("val") || subfolders.Contains("test"))
            && subfolders.All(s => s is "train" or "val" or "test");
        if (!imageNetStyle) return (root, null);
        string testName = subfolders.Contains("test") ? "test" : "val";
        options.Reporter.Log($"{root}: training images from train/, test images from {testName}/" + (subfolders.Contains("val") && testName == "test" ? " (val/ is not used; --val-size holds validation images out of train/)" : ""));
        return (Path.Combine(root, "train"), Path.Combine(root, testName));
    }

    private static string Resolve(string path, string? dataDir) => dataDir is null || Path.IsPathRooted(path) ? path : Path.Combine(dataDir, path);

    private static ImageDataset TestFolder(string name, string testDir, IReadOnlyList<string> classes, ImageDataset train, ImageFolderOptions options)
    {
        var decoded = Decode(ImageFolderListing.Scan(testDir, classes), options, requireEveryClass: false);
        var slots = ReadableSlots(decoded);
        if (slots.Length == 0) throw new UserInputException($"Test folder '{testDir}' has no readable image.");
        return ImageDataset.FromStore($"{name} test", DatasetKind.Folder, decoded.Pixels, slots, Labels(decoded, slots), options.Input.Channels,
            options.Input.Height, options.Input.Width, classes, [.. train.Mean], [.. train.Std], decoded.Skipped());
    }

    // Decodes (or maps) a folder, reports its unreadable files, and checks that every class kept an image.
    private static DecodedFolder Decode(ImageFolderListing listing, ImageFolderOptions options, bool requireEveryClass)
    {
        var input = options.Input;
        var decoded = ImageFolderCache.Open(listing, input.Channels, input.Height, input.Width, options.CacheDirectory, options.Reporter, options.Threads);
        var skipped = decoded.Skipped();
        if (skipped.Count > 0)
        {
            if (options.StrictImages)
                throw new UserInputException($"'{skipped[0].Path}' cannot be read: {skipped[0].Reason}"
                    + (skipped.Count > 1 ? $" (and {skipped.Count - 1} more unreadable files in '{listing.Root}')" : "") + "; --strict-images refuses unreadable images (leave it out to skip them).");
            foreach (var s in skipped.Take(NamedWarnings)) options.Reporter.Warn($"warning: skipping '{s.Path}': {s.Reason}");
            if (skipped.Count > NamedWarnings) options.Reporter.Warn($"warning: skipping {skipped.Count - NamedWarnings} more unreadable files ({skipped.Count} in all) in '{listing.Root}'");
        }
        if (requireEveryClass)
        {
            var kept = new bool[listing.Classes.Count];
            for (int i = 0; i < listing.Files.Count; i++)
                if (decoded.Header.Failures[i] is null) kept[listing.Files[i].Label] = true;
            var empty = listing.Classes.Where((_, c) => !kept[c]).ToList();
            if (empty.Count > 0)
                throw new UserInputException($"Image folder '{listing.Root}' has {(empty.Count == 1 ? "a class folder" : $"{empty.Count} class folders")} with no readable image ({ImageFolderListing.Summarise(empty)}); every class needs at least one.");
        }
        return decoded;
    }

    private static int[] ReadableSlots(DecodedFolder decoded) =>
        [.. Enumerable.Range(0, decoded.Header.Files.Count).Where(i => decoded.Header.Failures[i] is null)];

    private static int[] Labels(DecodedFolder decoded, int[] slots) => [.. slots.Select(s => decoded.Header.Files[s].Label)];

    // A data set of `slots`, normalised with the statistics of the pixels in `statisticsSlots` (the training images).
    private static ImageDataset Dataset(string name, DecodedFolder decoded, int[] slots, CacheHeader header, int[] statisticsSlots)
    {
        var (mean, std) = Statistics(header, statisticsSlots);
        return ImageDataset.FromStore(name, DatasetKind.Folder, decoded.Pixels, slots, Labels(decoded, slots), header.Channels, header.Height, header.Width,
            decoded.Listing.Classes, mean, std, decoded.Skipped());
    }

    /// <summary>Per-channel mean and population standard deviation on the [0, 1] scale of the images in <paramref name="slots"/>, from the cache's exact sums.</summary>
    private static (float[] Mean, float[] Std) Statistics(CacheHeader header, int[] slots)
    {
        int c = header.Channels;
        var mean = new float[c];
        var std = new float[c];
        double pixels = (double)slots.Length * header.Height * header.Width;
        for (int k = 0; k < c; k++)
        {
            // Integer sums are exact; Σv ≤ 255·H·W per image, Σv² ≤ 255²·H·W, summed over images in 128 bits.
            Int128 sum = 0, squares = 0;
            foreach (int s in slots)
            {
                sum += header.Sums[2 * s * c + k];
                squares += header.Sums[2 * s * c + c + k];
            }
            double m = (double)sum / pixels / 255.0;
            double variance = Math.Max((double)squares / pixels / (255.0 * 255.0) - m * m, 0);
            mean[k] = (float)m;
            std[k] = variance > 0 ? (float)Math.Sqrt(variance) : 1f; // a constant channel is left unscaled rather than divided by 0
        }
        return (mean, std);
    }
}
