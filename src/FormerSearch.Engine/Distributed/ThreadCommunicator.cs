using System.Numerics.Tensors;

namespace FormerSearch.Engine.Distributed;

/// <summary>
/// One rank of an in-process data-parallel run (<see cref="Replicas"/>): the ranks are threads of this process, each with
/// its own replica of the model. A collective publishes each rank's (pinned) buffer and meets at a barrier; then each
/// rank sums its share of the elements over all ranks' buffers — in rank order, so every rank gets the same bits whichever
/// thread arrived first — writing the sum into every buffer, and the ranks meet again before any buffer is let go. Each
/// rank reads and writes its share once: no copy of the values is made.
/// </summary>
internal sealed unsafe class ThreadCommunicator(ThreadGroup group, int rank) : ICommunicator, IInPlaceAllreduce
{
    /// <inheritdoc/>
    public int Rank { get; } = rank;

    /// <inheritdoc/>
    public int Size => group.Size;

    /// <inheritdoc/>
    public void AllreduceSum(Span<float> values)
    {
        fixed (float* mine = values)
        {
            group.Publish(Rank, mine);
            group.Meet();
            int n = values.Length, size = group.Size;
            int start = (int)((long)n * Rank / size), length = (int)((long)n * (Rank + 1) / size) - start;
            // Rank 0's buffer collects the sum of this share, then the others take a copy of it.
            var sum = new Span<float>(group.Buffer(0) + start, length);
            for (int r = 1; r < size; r++) TensorPrimitives.Add(sum, new ReadOnlySpan<float>(group.Buffer(r) + start, length), sum);
            for (int r = 1; r < size; r++) sum.CopyTo(new Span<float>(group.Buffer(r) + start, length));
            group.Meet();
        }
    }

    /// <inheritdoc/>
    public void AllreduceSumScaled(IReadOnlyList<Tensor> tensors, float scale)
    {
        group.PublishTensors(Rank, tensors);
        group.Meet();
        long total = 0;
        foreach (var t in tensors) total += t.Numel;
        int size = group.Size;
        long start = total * Rank / size, end = total * (Rank + 1) / size, at = 0;
        // This rank's share of the concatenation, tensor by tensor: summed into rank 0's in rank order (the last addend
        // with the scale, one rounding each as two passes would), then copied to the other ranks'.
        for (int i = 0; i < tensors.Count && at < end; at += tensors[i].Numel, i++)
        {
            long from = Math.Max(start, at), to = Math.Min(end, at + tensors[i].Numel);
            if (from >= to) continue;
            int offset = (int)(from - at), length = (int)(to - from);
            Span<float> Part(int r) => group.Tensors(r)[i].AsSpan().Slice(offset, length);
            var sum = Part(0);
            for (int r = 1; r < size - 1; r++) TensorPrimitives.Add(sum, Part(r), sum);
            if (size > 1) TensorPrimitives.AddMultiply(sum, Part(size - 1), scale, sum);
            else TensorPrimitives.Multiply(sum, scale, sum);
            for (int r = 1; r < size; r++) sum.CopyTo(Part(r));
        }
        group.Meet();
        group.PublishTensors(Rank, null);
    }

    /// <inheritdoc/>
    public void Broadcast(Span<float> values, int root)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, group.Size);
        fixed (float* mine = values)
        {
            group.Publish(Rank, mine);
            group.Meet();
            if (Rank != root) new ReadOnlySpan<float>(group.Buffer(root), values.Length).CopyTo(values);
            group.Meet();
        }
    }

    /// <inheritdoc/>
    public void Barrier() => group.Meet();
}
