using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>
    /// 2-D convolution, channels-last: input <c>[B, H, W, Cin]</c>, weight OHWI
    /// <c>[Cout, kh, kw, Cin/groups]</c> (PyTorch's <c>[Cout, Cin/groups, kh, kw]</c> permuted when loaded),
    /// bias <c>[Cout]</c> or null; output <c>[B, Ho, Wo, Cout]</c> with zero padding, as <c>F.conv2d</c>.
    /// The weight may be a prefix view along its first dimension (a supernet slice).
    /// </summary>
    /// <exception cref="ArgumentException">Ranks or channel counts do not match, groups do not divide the channels, or the kernel exceeds the padded input.</exception>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, int groups = 1)
    {
        using var trace = OpTrace.Enter();
        var y = Conv2dFunction.Apply(x, weight, bias, stride.H, stride.W, padding.H, padding.W, groups);
        return trace.IsRecording
            ? trace.Record(new TracedOp(TracedOpKind.Conv2d, y, x, weight, bias) { Stride = stride, Padding = padding, Groups = groups })
            : y;
    }

    /// <inheritdoc cref="Conv2d(Tensor, Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int}, int)"/>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int groups = 1) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding), groups);

    /// <summary>
    /// Depthwise 2-D convolution (<c>groups = C</c>), channels-last: input <c>[B, H, W, C]</c>, weight
    /// <c>[C, kh, kw]</c> (PyTorch's <c>[C, 1, kh, kw]</c>), bias <c>[C]</c> or null, zero padding; output
    /// <c>[B, Ho, Wo, C]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not match or the kernel exceeds the padded input.</exception>
    public static Tensor DepthwiseConv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding)
    {
        using var trace = OpTrace.Enter();
        var y = DepthwiseConv2dFunction.Apply(x, weight, bias, stride.H, stride.W, padding.H, padding.W);
        return trace.IsRecording
            ? trace.Record(new TracedOp(TracedOpKind.DepthwiseConv2d, y, x, weight, bias) { Stride = stride, Padding = padding })
            : y;
    }

    /// <inheritdoc cref="DepthwiseConv2d(Tensor, Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int})"/>
    public static Tensor DepthwiseConv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0) =>
        DepthwiseConv2d(x, weight, bias, (stride, stride), (padding, padding));

    /// <summary>
    /// Depthwise 1-D convolution along the tokens of <c>[B, N, C]</c> (GLiT's local module), stride 1:
    /// weight <c>[C, k]</c> (PyTorch's <c>[C, 1, k]</c>), bias <c>[C]</c> or null, zero padding
    /// <paramref name="padding"/> (default <c>k/2</c>, which keeps N for odd k); output <c>[B, N', C]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not match or the kernel exceeds the padded sequence.</exception>
    public static Tensor DepthwiseConv1d(Tensor x, Tensor weight, Tensor? bias = null, int? padding = null)
    {
        if (x.Rank != 3) throw new ArgumentException($"DepthwiseConv1d needs a [B, N, C] input; got {Tensor.FormatShape(x.Shape)}.");
        if (weight.Rank != 2) throw new ArgumentException($"DepthwiseConv1d weight must be [C, k]; got {Tensor.FormatShape(weight.Shape)}.");
        int pad = padding ?? weight.Size(1) / 2;
        using var trace = OpTrace.Enter();
        // A sequence is a one-row image: [B, 1, N, C] with a 1×k kernel (views, so gradients land in x and weight).
        var x4 = x.Contiguous().Reshape(x.Size(0), 1, x.Size(1), x.Size(2));
        var w3 = weight.Reshape(weight.Size(0), 1, weight.Size(1));
        var y = DepthwiseConv2dFunction.Apply(x4, w3, bias, 1, 1, 0, pad);
        y = y.Reshape(y.Size(0), y.Size(2), y.Size(3));
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.DepthwiseConv1d, y, x, weight, bias) { Padding = (0, pad) }) : y;
    }
}
