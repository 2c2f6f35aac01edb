namespace FormerSearch.Engine.Tracing;

/// <summary>
/// What a <see cref="TracedOp"/> computed: one per public op of <see cref="Functional"/> and per view method of
/// <see cref="Tensor"/>. The comment of each says which <see cref="TracedOp"/> fields it sets besides the inputs.
/// </summary>
public enum TracedOpKind
{
    /// <summary><c>a + b</c> with broadcasting.</summary>
    Add,

    /// <summary><c>a − b</c> with broadcasting.</summary>
    Sub,

    /// <summary><c>a · b</c> with broadcasting.</summary>
    Mul,

    /// <summary><c>a / b</c> with broadcasting.</summary>
    Div,

    /// <summary>Batched matrix product over the last two dimensions.</summary>
    MatMul,

    /// <summary><c>x·Wᵀ + b</c> over the last dimension; inputs x, W, b (or null).</summary>
    Linear,

    /// <summary>An elementwise activation: <see cref="TracedOp.Activation"/>.</summary>
    Activation,

    /// <summary>Gated linear unit along <see cref="TracedOp.Axis"/>.</summary>
    Glu,

    /// <summary><c>scale·relu(x)² + bias</c>; inputs x, scale, bias.</summary>
    StarRelu,

    /// <summary>Softmax over the last dimension.</summary>
    Softmax,

    /// <summary>Log-softmax over the last dimension.</summary>
    LogSoftmax,

    /// <summary>LayerNorm over the last dimension; inputs x, weight, bias (either may be null); <see cref="TracedOp.Eps"/>.</summary>
    LayerNorm,

    /// <summary>GroupNorm with one group; inputs x, weight, bias (either may be null); <see cref="TracedOp.Eps"/>.</summary>
    GroupNorm1,

    /// <summary>BatchNorm over the last dimension; inputs x, weight, bias, running mean, running variance; <see cref="TracedOp.Eps"/>, <see cref="TracedOp.Training"/>.</summary>
    BatchNorm,

    /// <summary>Channels-last 2-D convolution, weight OHWI; <see cref="TracedOp.Stride"/>, <see cref="TracedOp.Padding"/>, <see cref="TracedOp.Groups"/>.</summary>
    Conv2d,

    /// <summary>Depthwise 2-D convolution, weight <c>[C, kh, kw]</c>; <see cref="TracedOp.Stride"/>, <see cref="TracedOp.Padding"/>.</summary>
    DepthwiseConv2d,

    /// <summary>Depthwise 1-D convolution along the tokens of <c>[B, N, C]</c>, weight <c>[C, k]</c>; <see cref="TracedOp.Padding"/> (W: both ends).</summary>
    DepthwiseConv1d,

    /// <summary>Average pooling of <c>[B, H, W, C]</c>; <see cref="TracedOp.Kernel"/>, <see cref="TracedOp.Stride"/>, <see cref="TracedOp.Padding"/>, <see cref="TracedOp.CountIncludePad"/>.</summary>
    AvgPool2d,

    /// <summary>Mean over every position: <c>[B, …, C] → [B, C]</c>.</summary>
    GlobalAvgPool,

    /// <summary>Sum over <see cref="TracedOp.Dims"/> (empty: all), <see cref="TracedOp.KeepDim"/>.</summary>
    Sum,

    /// <summary>Mean over <see cref="TracedOp.Dims"/> (empty: all), <see cref="TracedOp.KeepDim"/>.</summary>
    Mean,

    /// <summary>The inputs joined along <see cref="TracedOp.Axis"/>.</summary>
    Concat,

    /// <summary>The input repeated to <see cref="TracedOp.Shape"/>.</summary>
    Expand,

    /// <summary>Rows <see cref="TracedOp.Indices"/> of the input matrix, laid out in <see cref="TracedOp.Shape"/> (plus the row width).</summary>
    Embedding,

    /// <summary>A <c>[1, 1, C]</c> token (first input) in front of every sequence of <c>[B, N, C]</c> (second input).</summary>
    TokenConcat,

    /// <summary>The same elements in <see cref="TracedOp.Shape"/>.</summary>
    Reshape,

    /// <summary>Dimensions reordered: output dimension i is input dimension <c>Dims[i]</c>.</summary>
    Permute,

    /// <summary>Elements <see cref="TracedOp.Start"/> to <c>Start + Length</c> along <see cref="TracedOp.Axis"/>.</summary>
    Narrow,

    /// <summary>Index <see cref="TracedOp.Start"/> of <see cref="TracedOp.Axis"/>, that dimension removed.</summary>
    Select,

    /// <summary>The same values in another tensor (a contiguous copy, a detached view).</summary>
    Identity,

    /// <summary>Dropout or drop-path while training: random, so a trace of it cannot be replayed.</summary>
    Dropout,

    /// <summary>A loss (cross-entropy): not part of a model's forward.</summary>
    Loss,
}
