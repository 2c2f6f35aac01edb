namespace FormerSearch.Data;

/// <summary>
/// The part of every global batch one rank of a data-parallel run takes: rank <see cref="Rank"/> of <see cref="Ranks"/> gets a
/// contiguous run of the batch's images, the runs in rank order covering the batch, their sizes differing by at most one
/// (the first <c>count mod Ranks</c> ranks take one more).
/// </summary>
/// <param name="Rank">This rank, in [0, <paramref name="Ranks"/>).</param>
/// <param name="Ranks">Number of ranks sharing each batch.</param>
public readonly record struct BatchSlice(int Rank, int Ranks)
{
    /// <summary>The whole batch (one process).</summary>
    public static BatchSlice Whole => new(0, 1);

    /// <summary>Whether this is the whole batch.</summary>
    public bool IsWhole => Ranks == 1;

    /// <summary>The first image and the end (exclusive) of this rank's run in a batch of <paramref name="count"/> images.</summary>
    public (int Start, int End) Of(int count)
    {
        int size = count / Ranks, extra = count % Ranks;
        int start = Rank * size + Math.Min(Rank, extra);
        return (start, start + size + (Rank < extra ? 1 : 0));
    }
}
