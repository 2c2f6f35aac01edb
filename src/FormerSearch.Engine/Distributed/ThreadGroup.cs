namespace FormerSearch.Engine.Distributed;

/// <summary>
/// What the ranks of one in-process run share (<see cref="ThreadCommunicator"/>): the buffer each rank publishes for a
/// collective, the barrier the ranks meet at, and the compute slots — as many as <see cref="Threading.ParallelRunner.Threads"/>
/// — that a rank holds while it computes and gives back while it waits, so that more ranks than threads take turns
/// instead of competing for the cores. A failed rank cancels the group, and every rank waiting at the barrier then stops.
/// </summary>
internal sealed class ThreadGroup(int size, int computeSlots) : IDisposable
{
    private readonly Barrier _barrier = new(size);
    private readonly CancellationTokenSource _failed = new();
    private readonly SemaphoreSlim _compute = new(Math.Clamp(computeSlots, 1, size), Math.Clamp(computeSlots, 1, size));
    private readonly nint[] _buffers = new nint[size];
    private readonly IReadOnlyList<Tensor>?[] _tensors = new IReadOnlyList<Tensor>?[size];

    /// <summary>Number of ranks.</summary>
    public int Size { get; } = size;

    /// <summary>
    /// Publishes rank <paramref name="rank"/>'s buffer of a collective: the caller keeps it pinned until every rank has
    /// left the collective (its second <see cref="Meet"/>).
    /// </summary>
    public unsafe void Publish(int rank, float* buffer) => _buffers[rank] = (nint)buffer;

    /// <summary>The buffer rank <paramref name="rank"/> published for the current collective.</summary>
    public unsafe float* Buffer(int rank) => (float*)_buffers[rank];

    /// <summary>
    /// Publishes rank <paramref name="rank"/>'s tensors of a collective (or <c>null</c> once it is over): managed objects,
    /// so nothing is pinned; the other ranks read and write them only between the collective's two <see cref="Meet"/>s.
    /// </summary>
    public void PublishTensors(int rank, IReadOnlyList<Tensor>? tensors) => _tensors[rank] = tensors;

    /// <summary>The tensors rank <paramref name="rank"/> published for the current collective.</summary>
    public IReadOnlyList<Tensor> Tensors(int rank) => _tensors[rank] ?? throw new InvalidOperationException($"Rank {rank} published no tensors.");

    /// <summary>Takes a compute slot (a rank starting, or leaving a barrier).</summary>
    public void EnterCompute() => _compute.Wait(_failed.Token);

    /// <summary>Gives the compute slot back (a rank finishing).</summary>
    public void LeaveCompute() => _compute.Release();

    /// <summary>Waits until every rank has arrived, without holding a compute slot meanwhile.</summary>
    /// <exception cref="OperationCanceledException">Another rank failed.</exception>
    public void Meet()
    {
        _compute.Release();
        try
        {
            _barrier.SignalAndWait(_failed.Token);
        }
        finally
        {
            // Held again even when stopped: the rank gives it back once, as it leaves.
            _compute.Wait();
        }
    }

    /// <summary>Stops the run: ranks waiting, or arriving later, at the barrier throw <see cref="OperationCanceledException"/>.</summary>
    public void Fail() => _failed.Cancel();

    public void Dispose()
    {
        _barrier.Dispose();
        _failed.Dispose();
        _compute.Dispose();
    }
}
