using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// What every normalisation op (LayerNorm, GroupNorm(1), BatchNorm) keeps for its backward: the input,
/// the affine weight and bias, and the statistics its forward computed (mean and 1/std).
/// </summary>
internal abstract class NormFunction<TSelf> : Function<TSelf> where TSelf : NormFunction<TSelf>, new()
{
    protected Tensor _x = null!, _w = null!, _b = null!, _mean = null!, _rstd = null!;

    /// <summary>
    /// Records a node producing <paramref name="y"/> when an input needs a gradient, and returns it
    /// (so an op can save more), or null when nothing is recorded.
    /// </summary>
    protected static TSelf? Record(Tensor x, Tensor w, Tensor b, Tensor mean, Tensor rstd, Tensor y)
    {
        if (!Tape.Needs(x, w, b)) return null;
        var node = Rent();
        node._x = x;
        node._w = w;
        node._b = b;
        node._mean = mean;
        node._rstd = rstd;
        Tape.Record(node, y);
        return node;
    }

    protected override void Clear()
    {
        _x = null!;
        _w = null!;
        _b = null!;
        _mean = null!;
        _rstd = null!;
    }
}
