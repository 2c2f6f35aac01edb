namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>What <see cref="ConvShape.WalkCovering{TVisitor}"/> does at each covering (output pixel, kernel row) of an input row.</summary>
internal interface ICoveringVisitor
{
    /// <summary>
    /// Kernel row <paramref name="kernelRow"/> of output pixel <paramref name="outputPixel"/> (<c>(b·Ho + oy)·Wo + ox</c>, at
    /// row <paramref name="oy"/> and column <paramref name="ox"/> of its image) lies on the input row being walked: its
    /// kernel column 0 is at input pixel <paramref name="inputPixel"/> (<c>(b·H + iy)·W + ixBase</c>, possibly outside the
    /// row), and its kernel columns <c>[j0, j1)</c> (not empty) are inside the input.
    /// </summary>
    void Visit(int outputPixel, int oy, int ox, int kernelRow, int inputPixel, int j0, int j1);
}
