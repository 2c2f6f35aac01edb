using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Softmax;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Softmax or log-softmax over the last axis (as <c>torch.softmax(x, -1)</c> /
/// <c>log_softmax(x, -1)</c>); the backward uses the saved output only.
/// </summary>
internal sealed class SoftmaxFunction : Function<SoftmaxFunction, SoftmaxFunction.State>
{
    internal readonly record struct State(Tensor X, Tensor Y, bool Log);

    public static Tensor Apply(Tensor x, bool log)
    {
        if (x.Rank == 0) throw new ArgumentException($"{(log ? "LogSoftmax" : "Softmax")} needs at least one dimension; got a scalar.");
        x = x.Contiguous();
        var y = Tensor.Empty(x.Shape);
        SoftmaxKernels.Forward(log, x.Elements, y.Elements, x.Size(-1));
        if (Tape.Needs(x)) Record(new(x, y, log), y);
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var (x, y, log) = Saved;
        if (Tape.GradOf(x) is not { } gx) return;
        SoftmaxKernels.Backward(log, y.Elements, gradOutput.Elements, gx.Elements, y.Size(-1));
    }
}
