using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// PoolFormer's token mixer, <c>AvgPool2d(3, stride 1, padding 1, count_include_pad=False)(x) − x</c> on
/// channels-last <c>[B, H, W, C]</c>: subtracting x because the block's residual adds it back. No parameters.
/// </summary>
public sealed class Pooling : Layer
{
    /// <summary>A pooling mixer of window <paramref name="poolSize"/> (odd; PoolFormer uses 3).</summary>
    /// <exception cref="ArgumentException">The window is not a positive odd number.</exception>
    public Pooling(int poolSize = 3)
    {
        if (poolSize < 1 || poolSize % 2 == 0) throw new ArgumentException($"The pooling window must be a positive odd number; got {poolSize}.");
        PoolSize = poolSize;
    }

    /// <summary>Window side.</summary>
    public int PoolSize { get; }

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c>.</summary>
    public override Tensor Forward(Tensor x) => Functional.Sub(Pool(x), x);

    /// <summary>The average pooling alone, <c>[B, H, W, C]</c> → <c>[B, H, W, C]</c>: a block that adds the mixer to its residual subtracts x in the same pass.</summary>
    public Tensor Pool(Tensor x) => PoolSize == 3
        ? Functional.AvgPool3x3(x)
        : Functional.AvgPool2d(x, PoolSize, 1, PoolSize / 2, countIncludePad: false);
}
