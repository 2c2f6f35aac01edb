using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>
/// A parallel body over input rows (<c>b·H + iy</c>) that walks each range with
/// <see cref="ConvShape.WalkCovering{TVisitor}"/>: the backward of a window op written as a visitor.
/// </summary>
internal readonly struct CoveringWalk<TVisitor>(ConvShape s, TVisitor visitor) : IRangeBody where TVisitor : struct, ICoveringVisitor
{
    public void Invoke(int start, int end)
    {
        var v = visitor;
        s.WalkCovering(start, end, ref v);
    }
}
