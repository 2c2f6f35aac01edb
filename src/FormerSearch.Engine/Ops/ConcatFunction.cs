using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Joins tensors along one dimension (<c>torch.cat</c>). Each input is copied into its slice of the
/// output; the backward adds that slice of the output gradient to the input's gradient.
/// </summary>
internal sealed class ConcatFunction : Function<ConcatFunction, ConcatFunction.State, Tensor>
{
    /// <summary>The joined dimension (the inputs are the saved items).</summary>
    internal readonly record struct State(int Dim);

    public static Tensor Apply(ReadOnlySpan<Tensor> tensors, int dim)
    {
        if (tensors.IsEmpty) throw new ArgumentException("Concat needs at least one tensor.");
        var first = tensors[0];
        if (first.Rank == 0) throw new ArgumentException("Concat cannot join scalars (rank 0); reshape them to [1] first.");
        int d = first.NormalizeDim(dim);
        int total = 0;
        bool needs = false;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank)
                throw new ArgumentException($"Concat along dimension {d}: shapes {Tensor.FormatShape(first.Shape)} and {Tensor.FormatShape(t.Shape)} differ in rank.");
            for (int i = 0; i < t.Rank; i++)
                if (i != d && t.Size(i) != first.Size(i))
                    throw new ArgumentException($"Concat along dimension {d}: shapes {Tensor.FormatShape(first.Shape)} and {Tensor.FormatShape(t.Shape)} differ in dimension {i}.");
            total += t.Size(d);
            needs |= Tape.Needs(t);
        }
        Span<int> shape = stackalloc int[first.Rank];
        first.Shape.CopyTo(shape);
        shape[d] = total;
        var output = Tensor.Empty(shape);
        int offset = 0;
        foreach (var t in tensors)
        {
            int size = t.Size(d);
            // Narrow views of the output make this one strided copy per input, whatever the dimension.
            using (Tape.NoGrad()) StridedOps.Copy(t, output.Narrow(d, offset, size));
            offset += size;
        }
        if (needs) Record(new(d), tensors, output);
        return output;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        int offset = 0, dim = Saved.Dim;
        foreach (var t in SavedItems)
        {
            int size = t.Size(dim);
            if (Tape.GradOf(t) is { } g)
            {
                using (Tape.NoGrad()) StridedOps.AddInto(gradOutput.Narrow(dim, offset, size), g);
            }
            offset += size;
        }
    }
}
