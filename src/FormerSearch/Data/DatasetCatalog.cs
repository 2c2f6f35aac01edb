using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Data;

/// <summary>
/// Opens the data sets a <see cref="DatasetSpec"/> names, from IDX, CIFAR binary or .npy files, into
/// an in-memory <see cref="ImageDataset"/> with the normalisation statistics training uses.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the Fashion-MNIST files; the default for <c>fashion-mnist</c>.</summary>
    public const string FashionMnistDefaultDirectory = "/usr/share/datasets/fashion-mnist";

    // Published per-channel statistics of the training sets on the [0, 1] scale.
    private static readonly float[] MnistMean = [0.1307f], MnistStd = [0.3081f];
    private static readonly float[] FashionMean = [0.2860f], FashionStd = [0.3530f];
    private static readonly float[] Cifar10Mean = [0.4914f, 0.4822f, 0.4465f], Cifar10Std = [0.2470f, 0.2435f, 0.2616f];
    private static readonly float[] Cifar100Mean = [0.5071f, 0.4865f, 0.4409f], Cifar100Std = [0.2673f, 0.2564f, 0.2762f];

    /// <summary>Reads one split of a data set into memory.</summary>
    /// <param name="spec">Which data set.</param>
    /// <param name="dataDir">Directory holding its files (also searched: <c>raw/</c>, <c>FashionMNIST/raw/</c>, <c>MNIST/raw/</c>, <c>cifar-10-batches-bin/</c>, <c>cifar-100-binary/</c>, and the downloaded <c>cifar-10-binary.tar.gz</c>/<c>cifar-100-binary.tar.gz</c> read as they are); null for the default (Fashion-MNIST only; .npy paths are then relative to the working directory).</param>
    /// <param name="split">Train or test. A two-file <c>npy:</c> spec has one pair, which serves both.</param>
    /// <exception cref="UserInputException">A file is missing (the message names it and what to do), or corrupt, truncated or inconsistent with its partner (the message names it).</exception>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is an image folder, which <see cref="DataSplits.Open"/> opens with its decode options.</exception>
    public static ImageDataset Open(DatasetSpec spec, string? dataDir, DatasetSplitKind split)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Kind == DatasetKind.Folder) throw new ArgumentException($"{spec} is an image folder: open it with DataSplits.Open and ImageFolderOptions.", nameof(spec));
        var data = spec.Kind switch
        {
            DatasetKind.FashionMnist => OpenIdx(spec, dataDir ?? FashionMnistDefaultDirectory, split, "Fashion-MNIST", "FashionMNIST",
                dataDir is null ? "install the Debian package dataset-fashion-mnist or pass --data-dir with the IDX files" : "put the Fashion-MNIST IDX files there or pass another --data-dir",
                FashionMean, FashionStd),
            DatasetKind.Mnist => OpenIdx(spec, dataDir ?? throw new UserInputException("MNIST has no default directory: download its four IDX files (train-images-idx3-ubyte.gz, ...) and pass --data-dir."),
                split, "MNIST", "MNIST", "put the MNIST IDX files there or pass another --data-dir", MnistMean, MnistStd),
            DatasetKind.Cifar10 => OpenCifar10(dataDir, split),
            DatasetKind.Cifar100 => OpenCifar100(dataDir, split),
            _ => OpenNpy(spec, dataDir, split),
        };
        return ClassNames(spec.Kind) is { } names ? data.WithClassNames(names) : data;
    }

    // torchvision's `classes` of the data sets whose files do not carry their names.
    private static string[]? ClassNames(DatasetKind kind) => kind switch
    {
        DatasetKind.FashionMnist => ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        DatasetKind.Mnist => ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"],
        DatasetKind.Cifar10 => ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
        _ => null,
    };

    private static ImageDataset OpenIdx(DatasetSpec spec, string dir, DatasetSplitKind split, string title, string torchvisionFolder, string advice, float[] mean, float[] std)
    {
        string prefix = split == DatasetSplitKind.Train ? "train" : "t10k";
        string folder = FindFolder(dir, prefix + "-images-idx3-ubyte", ["", "raw", Path.Combine(torchvisionFolder, "raw")], gz: true)
            ?? throw new UserInputException($"{title} file '{prefix}-images-idx3-ubyte[.gz]' is not in '{dir}': {advice}.");
        string imagesPath = WithGz(Path.Combine(folder, prefix + "-images-idx3-ubyte"));
        string labelsPath = WithGz(Path.Combine(folder, prefix + "-labels-idx1-ubyte"));
        if (!File.Exists(labelsPath))
            throw new UserInputException($"{title} file '{prefix}-labels-idx1-ubyte[.gz]' is not in '{folder}': {advice}.");

        byte[] pixels = IdxFile.Read(imagesPath, 3, out int[] shape);
        byte[] rawLabels = IdxFile.Read(labelsPath, 1, out int[] labelShape);
        if (labelShape[0] != shape[0])
            throw new UserInputException($"'{labelsPath}' holds {labelShape[0]} labels but '{imagesPath}' holds {shape[0]} images; download both again.");
        var labels = new int[rawLabels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (rawLabels[i] >= 10) throw new UserInputException($"'{labelsPath}' has label {rawLabels[i]} at {i}, outside [0, 10); download it again.");
            labels[i] = rawLabels[i];
        }
        return ImageDataset.FromBytes($"{spec} {Describe(split)}", spec.Kind, pixels, labels, 1, shape[1], shape[2], 10, mean, std);
    }

    private static ImageDataset OpenCifar10(string? dataDir, DatasetSplitKind split)
    {
        const string advice = "download the CIFAR-10 binary version (cifar-10-binary.tar.gz), unpack it and pass --data-dir";
        string dir = dataDir ?? throw new UserInputException($"CIFAR-10 has no default directory: {advice}.");
        string[] names = split == DatasetSplitKind.Train
            ? ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"]
            : ["test_batch.bin"];
        var pixels = new List<byte[]>();
        var labels = new List<int>();
        string? folder = FindFolder(dir, names[0], ["", "cifar-10-batches-bin"], gz: false);
        if (folder is null)
        {
            ReadArchive(Path.Combine(dir, "cifar-10-binary.tar.gz"), names, 1, 10, "CIFAR-10", $"is not in '{dir}' or '{Path.Combine(dir, "cifar-10-batches-bin")}' (nor is cifar-10-binary.tar.gz): {advice}", pixels, labels);
        }
        else
        {
            foreach (string name in names)
            {
                string path = Path.Combine(folder, name);
                if (!File.Exists(path)) throw new UserInputException($"CIFAR-10 file '{path}' is missing: {advice}.");
                CifarBinary.ReadInto(path, labelBytes: 1, numClasses: 10, pixels, labels);
            }
        }
        return ImageDataset.FromBytes($"cifar10 {Describe(split)}", DatasetKind.Cifar10, Concat(pixels), [.. labels], 3, 32, 32, 10, Cifar10Mean, Cifar10Std);
    }

    private static ImageDataset OpenCifar100(string? dataDir, DatasetSplitKind split)
    {
        const string advice = "download the CIFAR-100 binary version (cifar-100-binary.tar.gz), unpack it and pass --data-dir";
        string dir = dataDir ?? throw new UserInputException($"CIFAR-100 has no default directory: {advice}.");
        string name = split == DatasetSplitKind.Train ? "train.bin" : "test.bin";
        var pixels = new List<byte[]>();
        var labels = new List<int>();
        string? folder = FindFolder(dir, name, ["", "cifar-100-binary"], gz: false);
        if (folder is null)
            ReadArchive(Path.Combine(dir, "cifar-100-binary.tar.gz"), [name], 2, 100, "CIFAR-100", $"is not in '{dir}' or '{Path.Combine(dir, "cifar-100-binary")}' (nor is cifar-100-binary.tar.gz): {advice}", pixels, labels);
        else
            CifarBinary.ReadInto(Path.Combine(folder, name), labelBytes: 2, numClasses: 100, pixels, labels);
        return ImageDataset.FromBytes($"cifar100 {Describe(split)}", DatasetKind.Cifar100, Concat(pixels), [.. labels], 3, 32, 32, 100, Cifar100Mean, Cifar100Std);
    }

    // The downloaded archive itself, read without unpacking, when the unpacked files are absent.
    private static void ReadArchive(string archive, string[] names, int labelBytes, int numClasses, string title, string notFound, List<byte[]> pixels, List<int> labels)
    {
        if (!File.Exists(archive)) throw new UserInputException($"{title} file '{names[0]}' {notFound}.");
        var members = CifarBinary.ReadFromArchive(archive, names);
        foreach (string name in names)
        {
            if (!members.TryGetValue(name, out var raw))
                throw new UserInputException($"'{archive}' has no member '{name}'; download the {title} binary version again.");
            CifarBinary.Parse(raw, $"{archive}:{name}", labelBytes, numClasses, pixels, labels);
        }
    }

    private static ImageDataset OpenNpy(DatasetSpec spec, string? dataDir, DatasetSplitKind split)
    {
        string trainImages = Resolve(spec.NpyTrainImages!, dataDir), trainLabels = Resolve(spec.NpyTrainLabels!, dataDir);
        bool separateTest = split == DatasetSplitKind.Test && spec.NpyTestImages is not null;
        string imagesPath = separateTest ? Resolve(spec.NpyTestImages!, dataDir) : trainImages;
        string labelsPath = separateTest ? Resolve(spec.NpyTestLabels!, dataDir) : trainLabels;

        var images = ReadNpyImages(imagesPath, out int n, out int c, out int h, out int w);
        int[] labels = ReadNpyLabels(labelsPath, n, imagesPath);
        int numClasses = MaxPlusOne(labels);
        byte[]? trainBytes = images.Bytes;
        if (separateTest)
        {
            // Classes and normalisation come from the training pair, so test images are treated as training ones were.
            numClasses = Math.Max(numClasses, MaxPlusOne(ReadNpyLabels(trainLabels, -1, trainImages)));
            var train = ReadNpyImages(trainImages, out _, out int tc, out int th, out int tw);
            if (tc != c || th != h || tw != w || (train.Bytes is null) != (images.Bytes is null))
                throw new UserInputException($"'{imagesPath}' holds {c}x{h}x{w} images but the training file '{trainImages}' holds {tc}x{th}x{tw} ones (or another dtype); both must match.");
            trainBytes = train.Bytes;
        }
        string name = $"{Path.GetFileName(imagesPath)} {Describe(split)}";
        if (images.Bytes is null) return ImageDataset.FromFloats(name, DatasetKind.Npy, images.Floats!, labels, c, h, w, numClasses);
        var (mean, std) = ImageDataset.ComputeStatistics(trainBytes, c);
        return ImageDataset.FromBytes(name, DatasetKind.Npy, images.Bytes, labels, c, h, w, numClasses, mean, std);
    }

    private readonly record struct NpyPixels(byte[]? Bytes, float[]? Floats);

    private static NpyPixels ReadNpyImages(string path, out int n, out int c, out int h, out int w)
    {
        if (!File.Exists(path)) throw new UserInputException($"Images file '{path}' does not exist: pass an existing .npy file (NCHW uint8 or float32) or a --data-dir it is relative to.");
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (IOException e) { throw new UserInputException($"Cannot read images file '{path}': {e.Message}", e); }
        var (dtype, shape) = Npy.ParseHeader(raw, path);
        if (shape.Length is not (3 or 4) || Array.IndexOf(shape, 0) >= 1)
            throw new UserInputException($"Images file '{path}' has shape [{string.Join(", ", shape)}]; expected [N, C, H, W] (or [N, H, W] for one channel) with positive image sizes.");
        n = shape[0];
        c = shape.Length == 4 ? shape[1] : 1;
        h = shape[^2];
        w = shape[^1];
        if (dtype == "|u1") return new NpyPixels(ToChannelsLast(Npy.ParseUInt8(raw, out _, path), n, c, h, w), null);
        if (dtype is "<f4" or "<f8") return new NpyPixels(null, ToChannelsLast(Npy.Parse(raw, path).AsSpan().ToArray(), n, c, h, w));
        throw new UserInputException($"Images file '{path}' has dtype {dtype}; expected uint8 (|u1) or float32 (<f4).");
    }

    private static int[] ReadNpyLabels(string path, int expected, string imagesPath)
    {
        if (!File.Exists(path)) throw new UserInputException($"Labels file '{path}' does not exist: pass an existing .npy file of int32 or int64 labels or a --data-dir it is relative to.");
        long[] wide = Npy.LoadInt64(path, out int[] shape);
        if (shape.Length != 1) throw new UserInputException($"Labels file '{path}' has shape [{string.Join(", ", shape)}]; expected one label per image, [N].");
        if (expected >= 0 && wide.Length != expected)
            throw new UserInputException($"Labels file '{path}' holds {wide.Length} labels but '{imagesPath}' holds {expected} images.");
        var labels = new int[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            if (wide[i] is < 0 or > 1_000_000) throw new UserInputException($"Labels file '{path}' has label {wide[i]} at {i}; labels must be class numbers 0, 1, 2, ...");
            labels[i] = (int)wide[i];
        }
        return labels;
    }

    private static T[] ToChannelsLast<T>(T[] nchw, int n, int c, int h, int w)
    {
        if (c == 1) return nchw;
        var nhwc = new T[nchw.Length];
        int plane = h * w, image = plane * c;
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
            {
                var src = nchw.AsSpan(i * image + ch * plane, plane);
                var dst = nhwc.AsSpan(i * image);
                for (int p = 0; p < plane; p++) dst[p * c + ch] = src[p];
            }
        return nhwc;
    }

    private static int MaxPlusOne(int[] labels)
    {
        int max = -1;
        foreach (int l in labels) max = Math.Max(max, l);
        return Math.Max(max + 1, 1);
    }

    private static string Resolve(string path, string? dataDir) =>
        dataDir is null || Path.IsPathRooted(path) ? path : Path.Combine(dataDir, path);

    private static string Describe(DatasetSplitKind split) => split == DatasetSplitKind.Train ? "train" : "test";

    private static string? FindFolder(string dir, string file, string[] subfolders, bool gz)
    {
        foreach (string sub in subfolders)
        {
            string folder = sub.Length == 0 ? dir : Path.Combine(dir, sub);
            string path = Path.Combine(folder, file);
            if (File.Exists(path) || (gz && File.Exists(path + ".gz"))) return folder;
        }
        return null;
    }

    // The raw file when present, else its .gz.
    private static string WithGz(string path) => File.Exists(path) ? path : path + ".gz";

    private static byte[] Concat(List<byte[]> parts)
    {
        if (parts.Count == 1) return parts[0];
        long total = 0;
        foreach (var p in parts) total += p.Length;
        var all = new byte[total];
        long at = 0;
        foreach (var p in parts)
        {
            p.CopyTo(all, at);
            at += p.Length;
        }
        return all;
    }
}
