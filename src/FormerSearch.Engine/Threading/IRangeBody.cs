namespace FormerSearch.Engine.Threading;

/// <summary>
/// The work of one parallel loop, as a struct so that dispatching it allocates nothing.
/// <see cref="Invoke"/> handles the items <c>[start, end)</c>; the split into ranges must not change
/// the result (each output is computed by exactly one range), which keeps runs deterministic for any
/// thread count.
/// </summary>
public interface IRangeBody
{
    void Invoke(int start, int end);
}
