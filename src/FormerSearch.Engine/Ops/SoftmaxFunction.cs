using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Softmax;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Softmax or log-softmax over the last axis (as <c>torch.softmax(x, -1)</c> /
/// <c>log_softmax(x, -1)</c>); the backward uses the saved output only.
/// </summary>
internal sealed class SoftmaxFunction : Function<SoftmaxFunction>
{
    private Tensor _x = null!, _y = null!;
    private bool _log;

    public static Tensor Apply(Tensor x, bool log)
    {
        if (x.Rank == 0) throw new ArgumentException($"{(log ? "LogSoftmax" : "Softmax")} needs at least one dimension; got a scalar.");
        x = x.Contiguous();
        var y = Tensor.Empty(x.Shape);
        SoftmaxKernels.Forward(log, x.Elements, y.Elements, x.Size(-1));
        if (Tape.Needs(x))
        {
            var node = Rent();
            node._x = x;
            node._y = y;
            node._log = log;
            Tape.Record(node, y);
        }
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        if (Tape.GradOf(_x) is not { } gx) return;
        SoftmaxKernels.Backward(_log, _y.Elements, gradOutput.Elements, gx.Elements, _y.Size(-1));
    }

    protected override void Clear()
    {
        _x = null!;
        _y = null!;
    }
}
