using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Distributed;

/// <summary>
/// Sums a model's gradients over the ranks with one allreduce of one flat buffer — or, where the ranks share memory
/// (<see cref="IInPlaceAllreduce"/>), of the gradients where they lie: the gradients of the parameters that have one, in
/// <see cref="Module.Parameters"/> order, then a few numbers of the caller's (a loss sum, a hit count). Every
/// rank runs the same subnets, so every rank has gradients for the same parameters and the buffers line up. Gradients
/// that are zero on every rank are left out (a supernet step's passes reach only part of the supernet: the other
/// alternatives, blocks and channels keep the zeros of <c>ZeroGrad</c>, and their sum is zero): a first, small allreduce
/// of one flag per gradient tells every rank which, so the buffers still line up.
/// </summary>
public sealed class GradientAllreduce(ICommunicator world)
{
    // Reused: a step allocates nothing here once warm.
    private readonly List<Tensor> _grads = [];
    private readonly List<Tensor> _summed = [];
    private float[] _flags = [];
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

        // The flags and the extras in one small allreduce: the scale is known before the gradients are summed.
        int count = grads.Count;
        if (_flags.Length < count + extras.Length) _flags = new float[count + extras.Length];
        var flags = _flags.AsSpan(0, count + extras.Length);
        for (int i = 0; i < count; i++) flags[i] = HoldsNonZero(grads[i]) ? 1f : 0f;
        extras.CopyTo(flags[count..]);
        world.AllreduceSum(flags);
        flags[count..].CopyTo(extras);
        float scale = scaleOf(extras);

        var summed = _summed;
        summed.Clear();
        long length = 0;
        for (int i = 0; i < count; i++)
        {
            if (flags[i] == 0) continue;
            summed.Add(grads[i]);
            length += grads[i].Numel;
        }
        if (world is IInPlaceAllreduce inPlace)
        {
            if (length > 0) inPlace.AllreduceSumScaled(summed, scale);
            return;
        }
        if (_flat.Length < length) _flat = new float[length];
        var flat = _flat.AsSpan(0, (int)length);
        int at = 0;
        foreach (var g in summed)
        {
            g.AsSpan().CopyTo(flat.Slice(at, g.Numel));
            at += g.Numel;
        }
        // Every rank left out the same gradients, so every rank skips an empty sum alike.
        if (length > 0) world.AllreduceSum(flat);
        at = 0;
        foreach (var g in summed)
        {
            TensorPrimitives.Multiply(flat.Slice(at, g.Numel), scale, g.AsSpan());
            at += g.Numel;
        }
    }

    /// <summary>
    /// Whether any element's bits differ from +0 (compared as integers: vectorised, and a −0 or a NaN counts, so what is
    /// left out is exactly what the sum would have left as it was).
    /// </summary>
    private static bool HoldsNonZero(Tensor gradient) => MemoryMarshal.Cast<float, int>(gradient.AsSpan()).ContainsAnyExcept(0);

    /// <summary>Overwrites each of <paramref name="tensors"/> (contiguous) with rank 0's, so all ranks start from the same weights.</summary>
    public void BroadcastFromRankZero(IEnumerable<Tensor> tensors)
    {
        foreach (var tensor in tensors) world.Broadcast(tensor.AsSpan(), root: 0);
    }
}
