namespace FormerSearch.Engine.Distributed;

/// <summary>
/// The ranks of an <c>mpirun</c> launch (<c>MPI_COMM_WORLD</c>) through Open MPI. Creating it initialises MPI; disposing
/// it finalises MPI (once per process: MPI cannot be initialised again).
/// </summary>
public sealed class MpiCommunicator : ICommunicator, IDisposable
{
    private bool _finalized;

    /// <summary>Initialises MPI.</summary>
    /// <exception cref="UserInputException">Open MPI's library cannot be loaded.</exception>
    public MpiCommunicator()
    {
        OpenMpiLibrary.Init();
        Rank = OpenMpiLibrary.Rank();
        Size = OpenMpiLibrary.Size();
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public void AllreduceSum(Span<float> values)
    {
        if (Size > 1) OpenMpiLibrary.AllreduceSum(values);
    }

    /// <inheritdoc/>
    public void Broadcast(Span<float> values, int root)
    {
        if (Size > 1) OpenMpiLibrary.Broadcast(values, root);
    }

    /// <inheritdoc/>
    public void Barrier() => OpenMpiLibrary.Barrier();

    /// <summary>Ends every rank with exit code <paramref name="code"/>: a rank that failed alone must not leave the others waiting in a collective.</summary>
    public void Abort(int code) => OpenMpiLibrary.Abort(code);

    /// <summary>Finalises MPI (after the last collective of every rank).</summary>
    public void Dispose()
    {
        if (_finalized) return;
        _finalized = true;
        OpenMpiLibrary.FinalizeMpi();
    }
}
