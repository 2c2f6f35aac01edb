namespace FormerSearch.Engine.Distributed;

/// <summary>
/// The collectives data-parallel training needs, over the processes of one run (its ranks). Every rank must call the
/// same collectives in the same order with the same lengths; a call returns once every rank has made it. Training code
/// sees only this interface: <see cref="SingleProcess"/> is the one-process run (every call does nothing), and
/// <see cref="MpiCommunicator"/> the MPI one.
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's rank in [0, <see cref="Size"/>); rank 0 alone writes files and progress.</summary>
    int Rank { get; }

    /// <summary>Number of ranks (the world size).</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> with their element-wise sum over all ranks (the same result on every rank).</summary>
    void AllreduceSum(Span<float> values);

    /// <summary>Overwrites <paramref name="values"/> on every rank with rank <paramref name="root"/>'s.</summary>
    void Broadcast(Span<float> values, int root);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();
}
