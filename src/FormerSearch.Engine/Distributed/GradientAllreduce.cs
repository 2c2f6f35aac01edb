using System.Numerics.Tensors;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Distributed;

/// <summary>
/// Sums a model's gradients over the ranks with one allreduce of one flat buffer: the gradients of the parameters that
/// have one, in <see cref="Module.Parameters"/> order, then a few numbers of the caller's (a loss sum, a hit count). Every
/// rank runs the same subnets, so every rank has gradients for the same parameters and the buffers line up.
/// </summary>
public sealed class GradientAllreduce(ICommunicator world)
{
    private readonly List<Tensor> _grads = []; // reused: a step allocates nothing here once warm
    private float[] _flat = [];

    /// <summary>
    /// Replaces each gradient of <paramref name="parameters"/> by its sum over the ranks multiplied by
    /// <paramref name="scaleOf"/> (computed from the summed <paramref name="extras"/>), and <paramref name="extras"/> by their sums.
    /// </summary>
    public void Reduce(IEnumerable<Parameter> parameters, Span<float> extras, Func<ReadOnlySpan<float>, float> scaleOf)
    {
        var grads = _grads;
        grads.Clear();
        foreach (var p in parameters)
            if (p.Grad is { } g) grads.Add(g);
        long length = extras.Length;
        foreach (var g in grads) length += g.Numel;
        if (_flat.Length < length) _flat = new float[length];
        var flat = _flat.AsSpan(0, (int)length);
        int at = 0;
        foreach (var g in grads)
        {
            g.AsSpan().CopyTo(flat.Slice(at, g.Numel));
            at += g.Numel;
        }
        extras.CopyTo(flat[at..]);
        world.AllreduceSum(flat);
        flat[at..].CopyTo(extras);
        float scale = scaleOf(extras);
        at = 0;
        foreach (var g in grads)
        {
            TensorPrimitives.Multiply(flat.Slice(at, g.Numel), scale, g.AsSpan());
            at += g.Numel;
        }
    }

    /// <summary>Overwrites each of <paramref name="tensors"/> (contiguous) with rank 0's, so all ranks start from the same weights.</summary>
    public void BroadcastFromRankZero(IEnumerable<Tensor> tensors)
    {
        foreach (var tensor in tensors) world.Broadcast(tensor.AsSpan(), root: 0);
    }
}
