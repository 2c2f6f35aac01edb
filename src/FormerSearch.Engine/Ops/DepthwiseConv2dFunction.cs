using System.Numerics.Tensors;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Conv;
using FormerSearch.Engine.Memory;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Depthwise 2-D convolution (each channel with its own kernel; <c>groups = C</c>) on channels-last
/// input <c>[B, H, W, C]</c> with weight <c>[C, Kh, Kw]</c> (PyTorch's <c>[C, 1, Kh, Kw]</c> without the
/// unit axis), zero padding, any stride: a direct kernel vectorised along channels. The weight may be
/// any view (e.g. the first C rows of a larger one); it is transposed once per call to <c>[Kh, Kw, C]</c>.
/// </summary>
internal sealed class DepthwiseConv2dFunction : Function<DepthwiseConv2dFunction, DepthwiseConv2dFunction.State>
{
    /// <summary>The input, the weight as given, the weight as the kernel reads it (<c>[Kh, Kw, C]</c>), the bias and the shape.</summary>
    internal readonly record struct State(Tensor X, Tensor W, Tensor Wt, Tensor? B, ConvShape Shape);

    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias, int strideH, int strideW, int padH, int padW)
    {
        if (x.Rank != 4) throw new ArgumentException($"DepthwiseConv2d needs a [B, H, W, C] input; got {Tensor.FormatShape(x.Shape)}.");
        int c = x.Size(3);
        if (weight.Rank != 3 || weight.Size(0) != c)
            throw new ArgumentException($"DepthwiseConv2d weight must be [{c}, kh, kw] for input {Tensor.FormatShape(x.Shape)}; got {Tensor.FormatShape(weight.Shape)}.");
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != c))
            throw new ArgumentException($"DepthwiseConv2d bias must be [{c}]; got {Tensor.FormatShape(bias.Shape)}.");
        var s = new ConvShape(x.Size(0), x.Size(1), x.Size(2), c, weight.Size(1), weight.Size(2), strideH, strideW, padH, padW);
        s.Validate("DepthwiseConv2d");
        x = x.Contiguous();
        if (bias is not null) bias = bias.Contiguous();

        // [C, Kh, Kw] (any strides) → [Kh, Kw, C], so that one tap's channels are contiguous.
        var wt = Tensor.Empty(s.Kh, s.Kw, c);
        int s0 = weight.Stride(0), s1 = weight.Stride(1), s2 = weight.Stride(2);
        FloatSlice wd = weight.StridedElements, td = wt.Elements;
        for (int i = 0, t = 0; i < s.Kh; i++)
            for (int j = 0; j < s.Kw; j++)
                for (int ch = 0, src = i * s1 + j * s2; ch < c; ch++, src += s0)
                    td[t++] = wd[src];

        var y = Tensor.Empty(s.B, s.Ho, s.Wo, c);
        DepthwiseConv2dKernel.Forward(x.Elements, wt.Elements, bias?.Elements, y.Elements, s);

        if (Tape.Needs(x, weight, bias)) Record(new(x, weight, wt, bias, s), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, weight, wt, bias, s) = Saved;
        var gy = Dense(gradOutput);
        // A first gradient of x is written, not added into a zero-filled one.
        if (Tape.GradToWrite(x, out bool overwrite) is { } gx)
            DepthwiseConv2dKernel.BackwardInput(gy.Elements, wt.Elements, gx.Elements, s, accumulate: !overwrite);
        var gw = Tape.GradOf(weight);
        var gb = bias is null ? null : Tape.GradOf(bias);
        if (gw is null && gb is null) return;
        int taps = s.Kh * s.Kw * s.C;
        float[] sums = BufferPool.Rent(taps + s.C);
        try
        {
            var result = sums.AsSpan(0, taps + (gb is null ? 0 : s.C));
            DepthwiseConv2dKernel.BackwardWeight(x.Elements, gy.Elements, s, gb is not null, result);
            if (gw is not null)
            {
                // [Kh, Kw, C] → the weight's own layout (its gradient has the weight's strides).
                int s0 = gw.Stride(0), s1 = gw.Stride(1), s2 = gw.Stride(2);
                var gd = gw.StridedElements;
                for (int i = 0, t = 0; i < s.Kh; i++)
                    for (int j = 0; j < s.Kw; j++)
                        for (int ch = 0, dst = i * s1 + j * s2; ch < s.C; ch++, dst += s0)
                            gd[dst] += sums[t++];
            }
            if (gb is not null) TensorPrimitives.Add(gb.AsSpan(), result[taps..], gb.AsSpan());
        }
        finally
        {
            BufferPool.Return(sums);
        }
    }
}
