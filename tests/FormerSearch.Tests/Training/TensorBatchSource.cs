using FormerSearch.Engine;
using FormerSearch.Training;

namespace FormerSearch.Tests.Training;

/// <summary>Fixed images and labels in fixed batches; epoch <c>e</c> rotates the order by <c>e</c> batches so epochs differ.</summary>
internal sealed class TensorBatchSource(Tensor images, int[] labels, int batchSize, Func<int, int, TrainingBatch, TrainingBatch>? tamper = null) : IBatchSource
{
    public int BatchesPerEpoch => labels.Length / batchSize;

    public int Count => BatchesPerEpoch * batchSize;

    public IEnumerable<TrainingBatch> Epoch(int epoch, int startBatch = 0)
    {
        int per = images.Numel / images.Size(0);
        for (int i = startBatch; i < BatchesPerEpoch; i++)
        {
            int b = (i + epoch) % BatchesPerEpoch;
            var x = Tensor.FromArray(images.AsSpan().Slice(b * batchSize * per, batchSize * per).ToArray(), [batchSize, .. images.Shape[1..]]);
            var batch = new TrainingBatch(x, labels[(b * batchSize)..((b + 1) * batchSize)]);
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
