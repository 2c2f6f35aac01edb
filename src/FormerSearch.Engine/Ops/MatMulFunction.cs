using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Matrix product over the last two dimensions, batched over the leading ones:
/// <c>[..., m, k] · [..., k, n] → [..., m, n]</c>. Either side may be a plain matrix shared by every
/// batch item, and either may be a transposed or sub-block view (passed to GEMM as is).
/// </summary>
internal sealed class MatMulFunction : Function<MatMulFunction, MatMulFunction.State>
{
    internal readonly record struct State(Tensor A, Tensor B);

    public static Tensor Apply(Tensor a, Tensor b)
    {
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"MatMul needs matrices; got {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}.");
        if (a.Size(-1) != b.Size(-2))
            throw new ArgumentException($"MatMul of {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}: inner sizes {a.Size(-1)} and {b.Size(-2)} differ.");
        var batchOwner = a.Rank >= b.Rank ? a : b;
        if (a.Rank > 2 && b.Rank > 2 && !a.Shape[..^2].SequenceEqual(b.Shape[..^2]))
            throw new ArgumentException($"MatMul of {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}: batch sizes differ.");
        if (MatrixOperand.TryOf(a) is null) a = a.Contiguous();
        if (MatrixOperand.TryOf(b) is null) b = b.Contiguous();

        Span<int> shape = stackalloc int[batchOwner.Rank];
        batchOwner.Shape.CopyTo(shape);
        shape[^2] = a.Size(-2);
        shape[^1] = b.Size(-1);
        var c = Tensor.Empty(shape);

        RunBatches(new BatchProducts(a, b, c, BatchProducts.Kind.Forward));

        if (Tape.Needs(a, b)) Record(new(a, b), c);
        return c;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        // dA += dC · Bᵀ ; dB += Aᵀ · dC. A matrix shared by the batch accumulates over it in order.
        var (a, b) = Saved;
        if (Tape.GradOf(a) is { } ga) RunBatches(new BatchProducts(gradOutput, b, ga, BatchProducts.Kind.GradA));
        if (Tape.GradOf(b) is { } gb) RunBatches(new BatchProducts(a, gradOutput, gb, BatchProducts.Kind.GradB));
    }

    /// <summary>
    /// Runs the per-item products. When the output is batched, items write disjoint matrices, and a
    /// small one is too small for BLAS to thread (attention's [B·heads] products), so items are spread
    /// over the workers; an output shared by the batch (a shared matrix's gradient) accumulates the
    /// items in order on one thread.
    /// </summary>
    private static void RunBatches(BatchProducts products)
    {
        int batches = products.Batches;
        bool independent = products.Output.Rank > 2;
        long flops = (long)products.Output.Size(-2) * products.Output.Size(-1) * products.InnerSize;
        if (independent && batches > 1 && flops < 1 << 20)
            ParallelRunner.For(batches, 1, products);
        else
            products.Invoke(0, batches);
    }

    private readonly struct BatchProducts(Tensor first, Tensor second, Tensor output, BatchProducts.Kind kind) : IRangeBody
    {
        public enum Kind { Forward, GradA, GradB }

        public Tensor Output => output;

        /// <summary>Products to compute: the batch of whichever operand has one.</summary>
        public int Batches => Math.Max(BatchCount(output), Math.Max(BatchCount(first), BatchCount(second)));

        /// <summary>The summed dimension of each product.</summary>
        public int InnerSize => kind switch { Kind.Forward => first.Size(-1), Kind.GradA => first.Size(-1), _ => first.Size(-2) };

        public void Invoke(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                switch (kind)
                {
                    case Kind.Forward: MatrixOperand.Multiply(Operand(first, i), Operand(second, i), Operand(output, i), 1f, 0f); break;
                    case Kind.GradA: MatrixOperand.Multiply(Operand(first, i), Operand(second, i).T, Operand(output, i), 1f, 1f); break;
                    case Kind.GradB: MatrixOperand.Multiply(Operand(first, i).T, Operand(second, i), Operand(output, i), 1f, 1f); break;
                }
            }
        }
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
        int offset = 0;
        for (int d = t.Rank - 3; d >= 0 && batch > 0; d--)
        {
            int size = t.Size(d);
            offset += batch % size * t.Stride(d);
            batch /= size;
        }
        return MatrixOperand.TryOf(t, offset)!.Value;
    }
}
