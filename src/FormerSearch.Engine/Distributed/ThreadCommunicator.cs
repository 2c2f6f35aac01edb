using System.Numerics.Tensors;

namespace FormerSearch.Engine.Distributed;

/// <summary>
/// One rank of an in-process data-parallel run (<see cref="Replicas"/>): the ranks are threads of this process, each with
/// its own replica of the model. A collective publishes each rank's (pinned) buffer and meets at a barrier; then each
/// rank sums its share of the elements over all ranks' buffers — in rank order, so every rank gets the same bits whichever
/// thread arrived first — writing the sum into every buffer, and the ranks meet again before any buffer is let go. Each
/// rank reads and writes its share once: no copy of the values is made.
/// </summary>
internal sealed unsafe class ThreadCommunicator(ThreadGroup group, int rank) : ICommunicator
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
