using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>
    /// PoolFormer's token mixer pooling on <c>[B, H, W, C]</c>: 3×3 average, stride 1, padding 1,
    /// <c>count_include_pad=False</c> (each output divides by the number of input pixels its window covers).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not rank 4.</exception>
    public static Tensor AvgPool3x3(Tensor x) => AvgPool2d(x, (3, 3), (1, 1), (1, 1), countIncludePad: false);

    /// <summary>
    /// Average pooling on channels-last <c>[B, H, W, C]</c>, as <c>F.avg_pool2d</c> (floor mode, zero
    /// padding, divisor per <paramref name="countIncludePad"/>); output <c>[B, Ho, Wo, C]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Rank is not 4, padding exceeds half the kernel, or the kernel exceeds the padded input.</exception>
    public static Tensor AvgPool2d(Tensor x, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding, bool countIncludePad = true)
    {
        using var trace = OpTrace.Enter();
        var y = AvgPool2dFunction.Apply(x, kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W, countIncludePad);
        return trace.IsRecording
            ? trace.Record(new TracedOp(TracedOpKind.AvgPool2d, y, x) { Kernel = kernel, Stride = stride, Padding = padding, CountIncludePad = countIncludePad })
            : y;
    }

    /// <summary>Square-window <see cref="AvgPool2d(Tensor, ValueTuple{int, int}, ValueTuple{int, int}, ValueTuple{int, int}, bool)"/>; the stride defaults to the kernel, as in PyTorch.</summary>
    /// <exception cref="ArgumentException">As the general overload.</exception>
    public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, bool countIncludePad = true) =>
        AvgPool2d(x, (kernel, kernel), (stride ?? kernel, stride ?? kernel), (padding, padding), countIncludePad);

    /// <summary>
    /// The mean over all positions of each sample: <c>[B, H, W, C] → [B, C]</c> (global average pooling)
    /// or <c>[B, N, C] → [B, C]</c> (mean over tokens).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has rank below 3 or no positions.</exception>
    public static Tensor GlobalAvgPool(Tensor x)
    {
        using var trace = OpTrace.Enter();
        var y = GlobalAvgPoolFunction.Apply(x);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.GlobalAvgPool, y, x)) : y;
    }
}
