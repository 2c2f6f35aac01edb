namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// The contribution of a run of rows to a column-wise reduction run by <see cref="ChunkedReduction"/>.
/// A struct, so the driver's loop is specialised and allocation-free; it must not mutate its own fields
/// (each thread works on a copy). It may also write per-row outputs of its own (each row is visited once).
/// It receives a whole chunk at a time so that it can keep a block of columns in registers while it
/// walks the rows; it must add the rows in increasing order so that the sums do not depend on threads.
/// </summary>
internal interface IRowReducer
{
    /// <summary>Adds the contributions of rows <c>[first, last)</c>, in row order, into <paramref name="partial"/>.</summary>
    void AddRows(int first, int last, Span<float> partial);
}
