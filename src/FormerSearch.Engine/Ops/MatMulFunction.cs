using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Gemm;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Matrix product over the last two dimensions, batched over the leading ones:
/// <c>[..., m, k] · [..., k, n] → [..., m, n]</c>. Either side may be a plain matrix shared by every
/// batch item, and either may be a transposed or sub-block view (passed to GEMM as is).
/// </summary>
internal sealed class MatMulFunction : Function<MatMulFunction>
{
    private Tensor _a = null!, _b = null!;

    public static Tensor Apply(Tensor a, Tensor b)
    {
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"MatMul needs matrices; got {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}.");
        if (a.Size(-1) != b.Size(-2))
            throw new ArgumentException($"MatMul of {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}: inner sizes {a.Size(-1)} and {b.Size(-2)} differ.");
        var batchOwner = a.Rank >= b.Rank ? a : b;
        if (a.Rank > 2 && b.Rank > 2 && !a.Shape[..^2].SequenceEqual(b.Shape[..^2]))
            throw new ArgumentException($"MatMul of {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}: batch sizes differ.");
        if (MatrixOperand.TryOf(a, a.Offset) is null) a = a.Contiguous();
        if (MatrixOperand.TryOf(b, b.Offset) is null) b = b.Contiguous();

        Span<int> shape = stackalloc int[batchOwner.Rank];
        batchOwner.Shape.CopyTo(shape);
        shape[^2] = a.Size(-2);
        shape[^1] = b.Size(-1);
        var c = Tensor.Empty(shape);

        int batches = BatchCount(c);
        for (int i = 0; i < batches; i++)
            MatrixOperand.Multiply(Operand(a, i), Operand(b, i), Operand(c, i), 1f, 0f);

        if (Tape.Needs(a, b))
        {
            var node = Rent();
            node._a = a;
            node._b = b;
            Tape.Record(node, c);
        }
        return c;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var ga = Tape.GradOf(_a);
        var gb = Tape.GradOf(_b);
        int batches = BatchCount(gradOutput);
        for (int i = 0; i < batches; i++)
        {
            var g = Operand(gradOutput, i);
            // dA += dC · Bᵀ ; dB += Aᵀ · dC (a shared matrix accumulates over the batch in order).
            if (ga is not null) MatrixOperand.Multiply(g, Operand(_b, i).T, Operand(ga, i), 1f, 1f);
            if (gb is not null) MatrixOperand.Multiply(Operand(_a, i).T, g, Operand(gb, i), 1f, 1f);
        }
    }

    protected override void Clear()
    {
        _a = null!;
        _b = null!;
    }

    private static int BatchCount(Tensor t)
    {
        int n = 1;
        for (int d = 0; d < t.Rank - 2; d++) n *= t.Size(d);
        return n;
    }

    /// <summary>The <paramref name="batch"/>-th matrix of <paramref name="t"/> (the only one for a plain matrix).</summary>
    private static MatrixOperand Operand(Tensor t, int batch)
    {
        int offset = t.Offset;
        for (int d = t.Rank - 3; d >= 0 && batch > 0; d--)
        {
            int size = t.Size(d);
            offset += batch % size * t.Stride(d);
            batch /= size;
        }
        return MatrixOperand.TryOf(t, offset)!.Value;
    }
}
