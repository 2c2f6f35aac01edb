using System.Collections.Concurrent;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Training;

namespace FormerSearch.Data;

/// <summary>
/// Batches of a data set (or a subset) for training and evaluation: seeded shuffling, augmentation,
/// resizing to the model's input, channel adaptation and normalisation, prefetched on one background
/// thread.
/// </summary>
/// <remarks>
/// <para>Determinism: batch <c>i</c> of epoch <c>e</c> depends only on (seed, e, i): the epoch's order
/// is a permutation drawn from a generator seeded by (seed, e), and every random choice inside the
/// batch from a generator seeded by (seed, e, i). Prefetching, timing and thread counts never change
/// it, so <c>Epoch(e, startBatch: i)</c> resumes an interrupted epoch bit-exactly.</para>
/// <para>Data parallelism: a loader of one rank (<see cref="Slice"/>) yields from batch <c>i</c> of epoch <c>e</c> its contiguous
/// part of the global batch, the same images, augmentation and mixing as the one-process batch: the determinism rule holds
/// for each part. Without mixing a rank builds only its own images (drawing the earlier images' random numbers without
/// their pixels); mixing pairs image <c>j</c> with image <c>B−1−j</c>, so with mixing each rank builds the whole batch.</para>
/// <para>Resizing: bilinear, align_corners=False, no antialiasing (as <c>F.interpolate</c>), after
/// cropping and flipping at the stored size. Channels: one-channel data fed to a model that takes
/// more channels is repeated into each of them (normalised with the data's single mean/std).</para>
/// <para>Label smoothing: hard labels are returned as they are (the loss smooths them); when
/// mixup/cutmix is on, the smoothing given here is folded into <see cref="Batch.SoftTargets"/>, as
/// timm's Mixup does, and the loss should then use the soft targets without further smoothing.</para>
/// </remarks>
public sealed class DataLoader : IBatchSource
{
    private const int PooledBuffers = 4;
    private readonly ConcurrentBag<float[]> _pool = [];

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">Images to serve (a full data set or a <see cref="HoldOut"/> part).</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="shuffle">Draw a new order each epoch (else the stored order).</param>
    /// <param name="dropLast">Drop a last partial batch.</param>
    /// <param name="augmentation">Random augmentation; <see cref="Augmentation.None"/> for evaluation.</param>
    /// <param name="input">The model's input: channels, height and width of the batches.</param>
    /// <param name="numClasses">The model's class count (width of soft targets); at least the data set's.</param>
    /// <param name="seed">Seed of every random choice.</param>
    /// <param name="labelSmoothing">Smoothing folded into soft targets when mixing (see remarks).</param>
    /// <param name="prefetch">Batches built ahead on the background thread; 0 builds them on the calling thread.</param>
    /// <exception cref="UserInputException">A size is not positive, the class count is below the data set's, channels cannot be adapted, or a setting is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefetch"/> is negative.</exception>
    public DataLoader(ImageDataset dataset, int batchSize, bool shuffle, bool dropLast, Augmentation augmentation, ModelInput input,
        int numClasses, ulong seed, float labelSmoothing = 0f, int prefetch = 2)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(augmentation);
        if (batchSize <= 0) throw new UserInputException($"Batch size {batchSize} must be positive.");
        if (input.Channels <= 0 || input.Height <= 0 || input.Width <= 0) throw new UserInputException($"Input {input} must have positive sizes.");
        if (input.Channels != dataset.Channels && dataset.Channels != 1)
            throw new UserInputException($"The model input has {input.Channels} channel(s) but {dataset.Name} has {dataset.Channels} channels; only 1-channel data can be repeated into more channels.");
        if (numClasses < dataset.NumClasses)
            throw new UserInputException($"Class count {numClasses} is below the {dataset.NumClasses} classes of {dataset.Name}.");
        if (!(labelSmoothing is >= 0 and < 1)) throw new UserInputException($"Label smoothing {labelSmoothing} must be in [0, 1).");
        if (prefetch < 0) throw new ArgumentException($"Prefetch depth {prefetch} must not be negative.", nameof(prefetch));
        augmentation.Validate();
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Augmentation = augmentation;
        Input = input;
        NumClasses = numClasses;
        Seed = seed;
        LabelSmoothing = labelSmoothing;
        Prefetch = prefetch;
    }

    /// <summary>A loader for evaluation: every image once, in stored order, no augmentation (only resizing, channel repetition and normalisation).</summary>
    /// <exception cref="UserInputException">As the constructor.</exception>
    public static DataLoader ForEvaluation(ImageDataset dataset, int batchSize, ModelInput input, int numClasses) =>
        new(dataset, batchSize, shuffle: false, dropLast: false, Augmentation.None, input, numClasses, seed: 0);

    /// <summary>
    /// A loader for training (or batch-norm recalibration): the order shuffled per epoch, and a last partial batch dropped
    /// (timm's drop_last) unless it is the only one, so a data set smaller than a batch still yields a batch.
    /// </summary>
    /// <exception cref="UserInputException">As the constructor.</exception>
    public static DataLoader ForTraining(ImageDataset dataset, int batchSize, Augmentation augmentation, ModelInput input, int numClasses,
        ulong seed, float labelSmoothing = 0f, bool shuffle = true) =>
        new(dataset, batchSize, shuffle, dropLast: dataset.Count > batchSize, augmentation, input, numClasses, seed, labelSmoothing);

    /// <summary>The images served.</summary>
    public ImageDataset Dataset { get; }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch has its own random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last partial batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>The augmentation applied.</summary>
    public Augmentation Augmentation { get; }

    /// <summary>Shape of each image in a batch (channels-last <c>[H, W, C]</c> in the tensor).</summary>
    public ModelInput Input { get; }

    /// <summary>Width of soft targets.</summary>
    public int NumClasses { get; }

    /// <summary>The seed of shuffling and augmentation.</summary>
    public ulong Seed { get; }

    /// <summary>Label smoothing folded into soft targets.</summary>
    public float LabelSmoothing { get; }

    /// <summary>Batches built ahead on the background thread (0 = none).</summary>
    public int Prefetch { get; }

    /// <summary>The part of each batch this loader yields (a rank's, in data-parallel training); the whole batch by default.</summary>
    public BatchSlice Slice { get; private init; } = BatchSlice.Whole;

    /// <summary>This loader cut to rank <paramref name="rank"/> of <paramref name="ranks"/> (see <see cref="IBatchSource.ForRank"/>).</summary>
    /// <exception cref="ArgumentException">The rank is outside [0, ranks) or the loader is already cut.</exception>
    public DataLoader ForRank(int rank, int ranks)
    {
        if (ranks < 1 || rank < 0 || rank >= ranks) throw new ArgumentException($"Rank {rank} of {ranks} does not exist.", nameof(rank));
        if (!Slice.IsWhole) throw new ArgumentException("This loader is already one rank's part.", nameof(rank));
        return new DataLoader(Dataset, BatchSize, Shuffle, DropLast, Augmentation, Input, NumClasses, Seed, LabelSmoothing, Prefetch) { Slice = new(rank, ranks) };
    }

    IBatchSource IBatchSource.ForRank(int rank, int ranks) => ForRank(rank, ranks);

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> from <paramref name="startBatch"/> on, prefetched
    /// in the background while the caller works on the current one. Stopping early (break, dispose)
    /// stops the background thread.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="epoch"/> is negative or <paramref name="startBatch"/> is outside [0, BatchesPerEpoch].</exception>
    public IEnumerable<Batch> Epoch(int epoch, int startBatch = 0)
    {
        if (epoch < 0) throw new ArgumentException($"Epoch {epoch} must not be negative.", nameof(epoch));
        if (startBatch < 0 || startBatch > BatchesPerEpoch)
            throw new ArgumentException($"Start batch {startBatch} is outside [0, {BatchesPerEpoch}] for {Dataset.Name}.", nameof(startBatch));
        return Prefetch == 0 ? Serial(epoch, startBatch) : Prefetched(epoch, startBatch);
    }

    /// <summary>Images one epoch serves (without the last partial batch when it is dropped).</summary>
    public int Count => DropLast ? BatchesPerEpoch * BatchSize : Dataset.Count;

    /// <summary>The batches as the trainer takes them; each batch's buffer goes back to the loader once the trainer has moved on.</summary>
    IEnumerable<TrainingBatch> IBatchSource.Epoch(int epoch, int startBatch)
    {
        foreach (var batch in Epoch(epoch, startBatch))
        {
            using (batch) yield return new TrainingBatch(batch.Images, batch.Labels, batch.SoftTargets, PartOf(batch.Index));
        }
    }

    /// <summary>Batch <paramref name="index"/> of epoch <paramref name="epoch"/>, built on the calling thread (the same batch <see cref="Epoch"/> yields there).</summary>
    /// <exception cref="ArgumentException">The epoch is negative or the index is outside [0, BatchesPerEpoch).</exception>
    public Batch GetBatch(int epoch, int index)
    {
        if (epoch < 0) throw new ArgumentException($"Epoch {epoch} must not be negative.", nameof(epoch));
        if (index < 0 || index >= BatchesPerEpoch)
            throw new ArgumentException($"Batch {index} is outside [0, {BatchesPerEpoch}) for {Dataset.Name}.", nameof(index));
        return BuildBatch(CreateBuilder(), Order(epoch), epoch, index);
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the items (positions in <see cref="Dataset"/>).</summary>
    public int[] Order(int epoch)
    {
        if (!Shuffle)
        {
            var order = new int[Dataset.Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            return order;
        }
        return HoldOut.Permutation(Dataset.Count, new Generator(SeedSequence.Derive(Seed, SeedSequence.ShuffleStream, (ulong)epoch)));
    }

    // Images of batch index's other ranks before and after this loader's part.
    private (int Before, int After) PartOf(int index)
    {
        int count = Math.Min(BatchSize, Dataset.Count - index * BatchSize);
        var (first, end) = Slice.Of(count);
        return (first, count - end);
    }

    internal BatchBuilder CreateBuilder() =>
        new(Dataset, Augmentation, Input.Channels, Input.Height, Input.Width, NumClasses, LabelSmoothing);

    internal Batch BuildBatch(BatchBuilder builder, int[] order, int epoch, int index)
    {
        int start = index * BatchSize;
        int count = Math.Min(BatchSize, Dataset.Count - start);
        var (first, end) = Slice.Of(count);
        int rows = end - first;
        int imageSize = builder.OutputImageSize;
        float[] buffer = count == BatchSize && _pool.TryTake(out var pooled) ? pooled : new float[rows * imageSize];
        var labels = new int[rows];
        float[]? soft = Augmentation.MixEnabled ? new float[rows * NumClasses] : null;
        bool random = Augmentation != Augmentation.None;
        var rng = random ? new Generator(SeedSequence.Derive(Seed, SeedSequence.AugmentStream, (ulong)epoch, (ulong)index)) : null;
        builder.Build(order.AsSpan(start, count), first, end, rng, buffer, labels, soft);
        var images = Tensor.FromArray(buffer, rows, Input.Height, Input.Width, Input.Channels);
        var targets = soft is null ? null : Tensor.FromArray(soft, rows, NumClasses);
        return new Batch(this, buffer, images, labels, targets, epoch, index);
    }

    internal void ReturnBuffer(float[] buffer)
    {
        var (first, end) = Slice.Of(BatchSize);
        if (buffer.Length == (end - first) * Input.Channels * Input.Height * Input.Width && _pool.Count < PooledBuffers) _pool.Add(buffer);
    }

    private IEnumerable<Batch> Serial(int epoch, int startBatch)
    {
        var order = Order(epoch);
        var builder = CreateBuilder();
        for (int i = startBatch; i < BatchesPerEpoch; i++) yield return BuildBatch(builder, order, epoch, i);
    }

    private IEnumerable<Batch> Prefetched(int epoch, int startBatch)
    {
        using var prefetcher = new BatchPrefetcher(this, epoch, Order(epoch), startBatch, BatchesPerEpoch, Prefetch);
        while (prefetcher.TryTake(out var batch)) yield return batch;
    }
}
