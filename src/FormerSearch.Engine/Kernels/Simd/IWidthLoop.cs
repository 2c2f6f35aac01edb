namespace FormerSearch.Engine.Kernels.Simd;

/// <summary>
/// A kernel loop written once over widths: <see cref="Run{TVector, TSimd}"/> goes on from element (or channel)
/// <c>from</c> in whole vectors of one width and returns where it stopped; <see cref="Widths.Run{TLoop}"/> calls it at
/// the widest accelerated width, then one float at a time for the rest. A loop that sums keeps its running total
/// in a field, so the scalar tail goes on from the vector part's total as the hand-written loops did.
/// </summary>
internal interface IWidthLoop
{
    int Run<TVector, TSimd>(int from) where TVector : struct where TSimd : ISimd<TVector>;
}
