using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Ops;

/// <summary>
/// Row lookup <c>y[i] = weight[indices[i]]</c> (<c>torch.nn.functional.embedding</c>). The backward
/// adds each output row's gradient into its weight row in index order, so repeated indices accumulate
/// deterministically.
/// </summary>
internal sealed class EmbeddingFunction : Function<EmbeddingFunction, EmbeddingFunction.State, int>
{
    /// <summary>The weight (the indices, copied so that the caller may reuse its array, are the saved items).</summary>
    internal readonly record struct State(Tensor Weight);

    public static Tensor Apply(ReadOnlySpan<int> indices, Tensor weight, ReadOnlySpan<int> indexShape)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Embedding weight must be [vocabulary, dim]; got {Tensor.FormatShape(weight.Shape)}.");
        int count = Tensor.CheckedNumel(indexShape);
        if (count != indices.Length)
            throw new ArgumentException($"Embedding index shape {Tensor.FormatShape(indexShape)} holds {count} indices, but {indices.Length} were given.");
        int vocab = weight.Size(0), dim = weight.Size(1);
        foreach (int i in indices)
            if ((uint)i >= (uint)vocab)
                throw new ArgumentException($"Embedding index {i} is outside the vocabulary of {vocab} rows.");
        weight = weight.Contiguous();
        Span<int> shape = stackalloc int[indexShape.Length + 1];
        indexShape.CopyTo(shape);
        shape[^1] = dim;
        var output = Tensor.Empty(shape);
        var w = weight.AsSpan();
        var y = output.AsSpan();
        for (int r = 0; r < indices.Length; r++) w.Slice(indices[r] * dim, dim).CopyTo(y.Slice(r * dim, dim));
        if (Tape.Needs(weight)) Record(new(weight), indices, output);
        return output;
    }

    protected internal override void Backward(Tensor gradOutput)
    {
        var weight = Saved.Weight;
        if (Tape.GradOf(weight) is not { } gw) return;
        int dim = weight.Size(1);
        var g = gradOutput.AsSpan();
        var dw = gw.AsSpan();
        for (int r = 0; r < SavedItems.Count; r++)
        {
            var dst = dw.Slice(SavedItems[r] * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Add(dst, g.Slice(r * dim, dim), dst);
        }
    }
}
