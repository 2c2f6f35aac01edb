namespace FormerSearch.Engine.Kernels.Norms;

/// <summary>
/// One row's contribution to a column-wise reduction run by <see cref="ChunkedReduction"/>. A struct,
/// so the driver's loop is specialised and allocation-free; it must not mutate its own fields
/// (each thread works on a copy). It may also write per-row outputs of its own (each row is visited once).
/// </summary>
internal interface IRowReducer
{
    /// <summary>Adds row <paramref name="row"/>'s contribution into <paramref name="partial"/>.</summary>
    void AddRow(int row, Span<float> partial);
}
