using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Training;

namespace FormerSearch.Tests.Training;

/// <summary>Fixed images and labels in fixed batches; epoch <c>e</c> rotates the order by <c>e</c> batches so epochs differ.</summary>
internal sealed class TensorBatchSource(Tensor images, int[] labels, int batchSize, Func<int, int, TrainingBatch, TrainingBatch>? tamper = null,
    BatchSlice? slice = null) : IBatchSource
{
    /// <summary>Rank <paramref name="rank"/>'s part of every batch, as <see cref="Data.DataLoader.ForRank"/> cuts it.</summary>
    public IBatchSource ForRank(int rank, int ranks) => ranks == 1 ? this : new TensorBatchSource(images, labels, batchSize, tamper, new BatchSlice(rank, ranks));

    public int BatchesPerEpoch => labels.Length / batchSize;

    public int Count => BatchesPerEpoch * batchSize;

    public IEnumerable<TrainingBatch> Epoch(int epoch, int startBatch = 0)
    {
        int per = images.Numel / images.Size(0);
        for (int i = startBatch; i < BatchesPerEpoch; i++)
        {
            int b = (i + epoch) % BatchesPerEpoch;
            var (start, end) = (slice ?? BatchSlice.Whole).Of(batchSize);
            int first = b * batchSize + start, count = end - start;
            var x = Tensor.FromArray(images.AsSpan().Slice(first * per, count * per).ToArray(), [count, .. images.Shape[1..]]);
            var batch = new TrainingBatch(x, labels[first..(first + count)], Part: (start, batchSize - end));
            yield return tamper is null ? batch : tamper(epoch, i, batch);
        }
    }

    /// <summary><paramref name="count"/> random images of <paramref name="size"/> whose label is the sign pattern of a few pixels, so there is something to learn.</summary>
    public static (Tensor Images, int[] Labels) Random(int count, int height, int width, int channels, int classes, ulong seed)
    {
        var rng = new Generator(seed);
        var images = Tensor.Empty(count, height, width, channels);
        rng.FillNormal(images.AsSpan());
        var labels = new int[count];
        int per = height * width * channels;
        for (int i = 0; i < count; i++)
            labels[i] = (images.AsSpan()[i * per] > 0 ? 1 : 0) + (images.AsSpan()[i * per + 1] > 0 ? 2 : 0) % classes;
        return (images, labels);
    }
}
