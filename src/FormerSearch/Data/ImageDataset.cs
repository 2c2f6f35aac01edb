namespace FormerSearch.Data;

/// <summary>
/// Labelled images held in memory, channels-last (<c>[N, H, W, C]</c>): uint8 pixels when the files
/// hold uint8 (a quarter of the memory of floats), float32 otherwise. A subset (<see cref="Subset"/>,
/// <see cref="HoldOut"/>) is a view: an index array over the same pixels, never a copy.
/// </summary>
/// <remarks>
/// <see cref="Mean"/> and <see cref="Std"/> are per channel, in units of the [0, 1] pixel scale for
/// uint8 data (an input value is <c>(byte / 255 − mean) / std</c>); float32 data is used as it is,
/// with mean 0 and std 1.
/// </remarks>
public sealed class ImageDataset
{
    private readonly PixelStore? _bytes;  // [Nstore, H, W, C] or null
    private readonly float[]? _floats;    // [Nstore, H, W, C] or null
    private readonly int[]? _indices;     // view: storage index of each item; null = all, in order
    private readonly float[] _mean;
    private readonly float[] _std;

    private ImageDataset(string name, DatasetKind kind, PixelStore? bytes, float[]? floats, int[]? indices, int[] labels,
        int channels, int height, int width, int numClasses, float[] mean, float[] std)
    {
        Name = name;
        Kind = kind;
        _bytes = bytes;
        _floats = floats;
        _indices = indices;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        NumClasses = numClasses;
        _mean = mean;
        _std = std;
    }

    /// <summary>A short description such as "fashion-mnist train", for logs and errors.</summary>
    public string Name { get; }

    /// <summary>Which data set it came from (decides the default augmentation).</summary>
    public DatasetKind Kind { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Number of classes (labels are in [0, NumClasses)).</summary>
    public int NumClasses { get; }

    /// <summary>Channels per pixel (1 for MNIST-like data, 3 for CIFAR).</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>True when pixels are stored as bytes (scaled by 1/255 before normalisation).</summary>
    public bool IsUInt8 => _bytes is not null;

    /// <summary>Per-channel mean used for normalisation (0 for float32 data).</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviation used for normalisation (1 for float32 data).</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>The label of each image, in item order. Shared, not a copy: do not modify.</summary>
    public int[] Labels { get; }

    /// <summary>Elements per image (H·W·C).</summary>
    public int ImageSize => Height * Width * Channels;

    /// <summary>True for a view made by <see cref="Subset"/>.</summary>
    public bool IsSubset => _indices is not null;

    /// <summary>The name of each class in label order, when the data set has them (image folders, Fashion-MNIST, MNIST, CIFAR-10); else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; private init; }

    /// <summary>Files of an image folder that could not be read and were left out (empty for other data sets).</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; private init; } = [];

    /// <summary>This data set (the same pixels) with class names.</summary>
    /// <exception cref="ArgumentException">The number of names is not <see cref="NumClasses"/>.</exception>
    public ImageDataset WithClassNames(IReadOnlyList<string> names)
    {
        if (names.Count != NumClasses) throw new ArgumentException($"{names.Count} class names for {NumClasses} classes.", nameof(names));
        return new ImageDataset(Name, Kind, _bytes, _floats, _indices, Labels, Channels, Height, Width, NumClasses, _mean, _std)
        {
            ClassNames = names, Skipped = Skipped,
        };
    }

    /// <summary>Wraps uint8 pixels <c>[N, H, W, C]</c> (not copied) with their labels and normalisation.</summary>
    /// <exception cref="ArgumentException">Sizes disagree, a label is outside [0, numClasses), or mean/std do not have one positive-std entry per channel.</exception>
    public static ImageDataset FromBytes(string name, DatasetKind kind, byte[] pixels, int[] labels, int channels, int height, int width,
        int numClasses, float[] mean, float[] std)
    {
        Check(pixels.LongLength, labels, channels, height, width, numClasses, mean, std);
        return new ImageDataset(name, kind, new ArrayPixels(pixels), null, null, labels, channels, height, width, numClasses, (float[])mean.Clone(), (float[])std.Clone());
    }

    /// <summary>
    /// Items <paramref name="slots"/> of a pixel store of <c>[H, W, C]</c> images (an image folder's decoded cache), with their
    /// labels, class names, normalisation and the files that were skipped.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes disagree, a slot is outside the store, or a label, mean or std is invalid.</exception>
    internal static ImageDataset FromStore(string name, DatasetKind kind, PixelStore store, int[] slots, int[] labels, int channels, int height, int width,
        IReadOnlyList<string> classNames, float[] mean, float[] std, IReadOnlyList<SkippedImage> skipped)
    {
        if (slots.Length != labels.Length) throw new ArgumentException($"{slots.Length} slots for {labels.Length} labels.", nameof(slots));
        long images = store.Length / ((long)channels * height * width);
        foreach (int slot in slots)
            if ((uint)slot >= images) throw new ArgumentException($"Slot {slot} is outside the {images} images of the store.", nameof(slots));
        Check((long)labels.Length * channels * height * width, labels, channels, height, width, classNames.Count, mean, std);
        return new ImageDataset(name, kind, store, null, slots, labels, channels, height, width, classNames.Count, (float[])mean.Clone(), (float[])std.Clone())
        {
            ClassNames = classNames, Skipped = skipped,
        };
    }

    /// <summary>Wraps float32 pixels <c>[N, H, W, C]</c> (not copied), used as they are (mean 0, std 1).</summary>
    /// <exception cref="ArgumentException">Sizes disagree or a label is outside [0, numClasses).</exception>
    public static ImageDataset FromFloats(string name, DatasetKind kind, float[] pixels, int[] labels, int channels, int height, int width, int numClasses)
    {
        var mean = new float[channels];
        var std = new float[channels];
        Array.Fill(std, 1f);
        Check(pixels.LongLength, labels, channels, height, width, numClasses, mean, std);
        return new ImageDataset(name, kind, null, pixels, null, labels, channels, height, width, numClasses, mean, std);
    }

    /// <summary>
    /// A view of the items at <paramref name="indices"/> (positions in this data set, in the order
    /// given) sharing these pixels; its labels are gathered into a new array.
    /// </summary>
    /// <exception cref="ArgumentException">An index is outside [0, Count).</exception>
    public ImageDataset Subset(ReadOnlySpan<int> indices)
    {
        var storage = new int[indices.Length];
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int k = indices[i];
            if ((uint)k >= (uint)Count) throw new ArgumentException($"Subset index {k} is outside [0, {Count}) of {Name}.", nameof(indices));
            storage[i] = StorageIndex(k);
            labels[i] = Labels[k];
        }
        return new ImageDataset(Name, Kind, _bytes, _floats, storage, labels, Channels, Height, Width, NumClasses, _mean, _std)
        {
            ClassNames = ClassNames, Skipped = Skipped,
        };
    }

    /// <summary>The position of item <paramref name="index"/> in the underlying pixel store (itself for a full data set).</summary>
    public int StorageIndex(int index) => _indices is null ? index : _indices[index];

    /// <summary>True when both are views of the same pixels (e.g. a split and its parent).</summary>
    public bool SharesStorageWith(ImageDataset other) => ReferenceEquals((object?)_bytes ?? _floats, (object?)other._bytes ?? other._floats);

    /// <summary>The uint8 pixels of item <paramref name="index"/>, <c>[H, W, C]</c>.</summary>
    /// <exception cref="InvalidOperationException">The data set holds float32 pixels.</exception>
    public ReadOnlySpan<byte> ImageBytes(int index)
    {
        if (_bytes is null) throw new InvalidOperationException($"{Name} holds float32 pixels, not bytes.");
        return _bytes.Slice((long)StorageIndex(index) * ImageSize, ImageSize);
    }

    /// <summary>The float32 pixels of item <paramref name="index"/>, <c>[H, W, C]</c>.</summary>
    /// <exception cref="InvalidOperationException">The data set holds uint8 pixels.</exception>
    public ReadOnlySpan<float> ImageFloats(int index)
    {
        if (_floats is null) throw new InvalidOperationException($"{Name} holds uint8 pixels, not floats.");
        return _floats.AsSpan(StorageIndex(index) * ImageSize, ImageSize);
    }

    /// <summary>Per-channel mean and (population) standard deviation of uint8 pixels on the [0, 1] scale.</summary>
    public static (float[] Mean, float[] Std) ComputeStatistics(ReadOnlySpan<byte> pixels, int channels)
    {
        var sum = new double[channels];
        var sumSq = new double[channels];
        // Integer histograms per channel: exact and fast, whatever the size of the data.
        var counts = new long[channels * 256];
        for (int i = 0; i < pixels.Length; i++) counts[(i % channels) * 256 + pixels[i]]++;
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            long n = 0;
            for (int v = 0; v < 256; v++)
            {
                long k = counts[c * 256 + v];
                n += k;
                sum[c] += k * (v / 255.0);
                sumSq[c] += k * (v / 255.0) * (v / 255.0);
            }
            double m = n == 0 ? 0 : sum[c] / n;
            double var = n == 0 ? 1 : Math.Max(sumSq[c] / n - m * m, 0);
            mean[c] = (float)m;
            std[c] = var > 0 ? (float)Math.Sqrt(var) : 1f;   // a constant channel is left unscaled rather than divided by 0
        }
        return (mean, std);
    }

    private static void Check(long pixelCount, int[] labels, int channels, int height, int width, int numClasses, float[] mean, float[] std)
    {
        if (channels <= 0 || height <= 0 || width <= 0) throw new ArgumentException($"Image size {channels}x{height}x{width} must be positive.");
        if (pixelCount != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"{pixelCount} pixel values do not make {labels.Length} images of {channels}x{height}x{width}.");
        if (numClasses <= 0) throw new ArgumentException($"Class count {numClasses} must be positive.", nameof(numClasses));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)numClasses) throw new ArgumentException($"Label {labels[i]} of image {i} is outside [0, {numClasses}).", nameof(labels));
        if (mean.Length != channels || std.Length != channels) throw new ArgumentException($"Mean and std need {channels} entries, one per channel.");
        foreach (float s in std)
            if (!(s > 0)) throw new ArgumentException($"Standard deviation {s} must be positive.", nameof(std));
    }
}
