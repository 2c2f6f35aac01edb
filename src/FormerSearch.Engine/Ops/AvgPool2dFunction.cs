using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Conv;
using FormerSearch.Engine.Kernels.Pooling;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Average pooling on channels-last input <c>[B, H, W, C]</c>, as <c>torch.nn.functional.avg_pool2d</c>
/// (floor mode): the window sum divided by the window size clipped to the padded input
/// (<c>countIncludePad</c>) or by the number of input pixels it covers. PoolFormer uses 3×3, stride 1,
/// padding 1, <c>countIncludePad = false</c>.
/// </summary>
internal sealed class AvgPool2dFunction : Function<AvgPool2dFunction, AvgPool2dFunction.State>
{
    internal readonly record struct State(Tensor X, ConvShape Shape, bool IncludePad);

    public static Tensor Apply(Tensor x, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, bool countIncludePad)
    {
        if (x.Rank != 4) throw new ArgumentException($"AvgPool2d needs a [B, H, W, C] input; got {Tensor.FormatShape(x.Shape)}.");
        var s = new ConvShape(x.Size(0), x.Size(1), x.Size(2), x.Size(3), kernelH, kernelW, strideH, strideW, padH, padW);
        s.Validate("AvgPool2d");
        if (2 * padH > kernelH || 2 * padW > kernelW)
            throw new ArgumentException($"AvgPool2d padding ({padH}, {padW}) must be at most half the kernel {kernelH}×{kernelW}.");
        x = x.Contiguous();
        var y = Tensor.Empty(s.B, s.Ho, s.Wo, s.C);
        AvgPool2dKernel.Forward(x.Elements, y.Elements, s, countIncludePad);
        if (Tape.Needs(x)) Record(new(x, s, countIncludePad), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, shape, includePad) = Saved;
        if (Tape.GradOf(x) is not { } gx) return;
        var gy = Dense(gradOutput);
        AvgPool2dKernel.Backward(gy.Elements, gx.Elements, shape, includePad);
    }
}
