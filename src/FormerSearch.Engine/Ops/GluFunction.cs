using System.Numerics.Tensors;
using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Gated linear unit, as <c>torch.nn.functional.glu</c>: the input is halved along <c>dim</c> into
/// <c>a</c> (first half) and <c>b</c> (second half), and <c>y = a · σ(b)</c>. Backward:
/// <c>da = g·σ(b)</c>, <c>db = g·a·σ(b)·(1 − σ(b))</c>; σ(b) is saved from the forward.
/// </summary>
internal sealed class GluFunction : Function<GluFunction>
{
    private Tensor _x = null!, _gate = null!;
    private int _outer, _half;

    public static Tensor Apply(Tensor x, int dim)
    {
        if (x.Rank == 0) throw new ArgumentException("Glu needs a tensor with at least one dimension; got a scalar.");
        int d = x.NormalizeDim(dim);
        if (x.Size(d) % 2 != 0)
            throw new ArgumentException($"Glu halves dimension {d} of {Tensor.FormatShape(x.Shape)}, but its size {x.Size(d)} is odd.");
        x = x.Contiguous();
        Span<int> shape = stackalloc int[x.Rank];
        x.Shape.CopyTo(shape);
        shape[d] /= 2;
        var y = Tensor.Empty(shape);
        var gate = Tensor.Empty(shape);

        // As [outer, 2, half]: each outer block holds the a-run then the b-run.
        int outer = 1;
        for (int i = 0; i < d; i++) outer *= x.Size(i);
        int half = outer == 0 ? 0 : y.Numel / outer;
        var xs = x.AsSpan();
        var ys = y.AsSpan();
        var gs = gate.AsSpan();
        for (int o = 0; o < outer && half > 0; o++)
        {
            var a = xs.Slice(2 * o * half, half);
            var b = xs.Slice((2 * o + 1) * half, half);
            var sig = gs.Slice(o * half, half);
            TensorPrimitives.Sigmoid(b, sig);
            TensorPrimitives.Multiply(a, sig, ys.Slice(o * half, half));
        }

        if (Tape.Needs(x))
        {
            var node = Rent();
            node._x = x;
            node._gate = gate;
            node._outer = outer;
            node._half = half;
            Tape.Record(node, y);
        }
        return y;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        if (Tape.GradOf(_x) is not { } gx) return;
        int half = _half;
        var xs = _x.AsSpan();
        var gs = _gate.AsSpan();
        var g = gradOutput.AsSpan();
        var dxs = gx.AsSpan();
        var tmp = Tensor.Empty(half);
        var t = tmp.AsSpan();
        for (int o = 0; o < _outer; o++)
        {
            var a = xs.Slice(2 * o * half, half);
            var sig = gs.Slice(o * half, half);
            var go = g.Slice(o * half, half);
            var da = dxs.Slice(2 * o * half, half);
            var db = dxs.Slice((2 * o + 1) * half, half);
            // da += g·σ(b)
            TensorPrimitives.MultiplyAdd(go, sig, da, da);
            // db += (g·a)·σ(b)·(1 − σ(b))
            TensorPrimitives.Multiply(go, a, t);
            TensorPrimitives.Multiply(t, sig, t);
            TensorPrimitives.Add(db, t, db);
            TensorPrimitives.Multiply(t, sig, t);
            TensorPrimitives.Subtract(db, t, db);
        }
    }

    protected override void Clear()
    {
        _x = null!;
        _gate = null!;
    }
}
