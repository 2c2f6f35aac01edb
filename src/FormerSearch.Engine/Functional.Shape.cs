using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine;

public static partial class Functional
{
    /// <summary>The tensors joined along <paramref name="dim"/> (<c>torch.cat</c>); any layouts.</summary>
    /// <exception cref="ArgumentException">No tensors, or their shapes differ outside <paramref name="dim"/>.</exception>
    public static Tensor Concat(ReadOnlySpan<Tensor> tensors, int dim)
    {
        using var trace = OpTrace.Enter();
        var y = ConcatFunction.Apply(tensors, dim);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Concat, y, tensors.ToArray()) { Axis = y.NormalizeDim(dim) }) : y;
    }

    /// <summary>
    /// <paramref name="x"/> cut along <paramref name="dim"/> into consecutive pieces of the given sizes
    /// (<c>torch.split</c> with a list): views, whose gradients land in the matching slices of
    /// <paramref name="x"/>'s gradient.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes are negative or do not add up to the dimension's size.</exception>
    public static Tensor[] Split(Tensor x, ReadOnlySpan<int> sizes, int dim)
    {
        var pieces = new Tensor[sizes.Length];
        Split(x, sizes, dim, pieces);
        return pieces;
    }

    /// <summary>
    /// As <see cref="Split(Tensor, ReadOnlySpan{int}, int)"/>, writing the views into
    /// <paramref name="pieces"/> (one per size) so that a training step allocates no array.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes are negative, do not add up to the dimension's size, or <paramref name="pieces"/> has the wrong length.</exception>
    public static void Split(Tensor x, ReadOnlySpan<int> sizes, int dim, Span<Tensor> pieces)
    {
        int d = x.NormalizeDim(dim);
        if (pieces.Length != sizes.Length)
            throw new ArgumentException($"Split into {sizes.Length} pieces needs a destination of that length; got {pieces.Length}.", nameof(pieces));
        int total = 0;
        foreach (int s in sizes)
        {
            if (s < 0) throw new ArgumentException($"Split sizes must not be negative; got {Tensor.FormatShape(sizes)}.", nameof(sizes));
            total += s;
        }
        if (total != x.Size(d))
            throw new ArgumentException($"Split sizes {Tensor.FormatShape(sizes)} add up to {total}, not the size {x.Size(d)} of dimension {d} of {Tensor.FormatShape(x.Shape)}.", nameof(sizes));
        int offset = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            pieces[i] = x.Narrow(d, offset, sizes[i]);
            offset += sizes[i];
        }
    }

    /// <summary>
    /// <paramref name="x"/> repeated along its size-1 (or new leading) dimensions to
    /// <paramref name="shape"/> (<c>Tensor.expand</c>; −1 keeps a size), materialised as a dense copy.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension that is not 1 would have to change.</exception>
    public static Tensor Expand(Tensor x, params ReadOnlySpan<int> shape)
    {
        using var trace = OpTrace.Enter();
        var y = ExpandFunction.Apply(x, shape);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.Expand, y, x) { Shape = y.Shape.ToArray() }) : y;
    }

    /// <summary>
    /// Rows of <paramref name="weight"/> <c>[V, D]</c> picked by <paramref name="indices"/>: <c>[n, D]</c>
    /// (<c>torch.nn.functional.embedding</c>). The weight's gradient accumulates per row.
    /// </summary>
    /// <exception cref="ArgumentException">An index is outside <c>[0, V)</c> or the weight is not a matrix.</exception>
    public static Tensor Embedding(ReadOnlySpan<int> indices, Tensor weight) => Embedding(indices, weight, [indices.Length]);

    /// <summary>
    /// As <see cref="Embedding(ReadOnlySpan{int}, Tensor)"/> with the indices laid out in
    /// <paramref name="indexShape"/>: the result is <c>[..indexShape, D]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The shape does not hold the indices, or an index is out of range.</exception>
    public static Tensor Embedding(ReadOnlySpan<int> indices, Tensor weight, ReadOnlySpan<int> indexShape)
    {
        using var trace = OpTrace.Enter();
        var y = EmbeddingFunction.Apply(indices, weight, indexShape);
        return trace.IsRecording
            ? trace.Record(new TracedOp(TracedOpKind.Embedding, y, weight) { Indices = indices.ToArray(), Shape = indexShape.ToArray() })
            : y;
    }

    /// <summary>
    /// A learned token prepended to every sequence (ViT's class token): <paramref name="token"/>
    /// <c>[1, 1, C]</c> repeated over the batch, then <paramref name="tokens"/> <c>[B, N, C]</c>,
    /// giving <c>[B, 1 + N, C]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes are not <c>[1, 1, C]</c> and <c>[B, N, C]</c>.</exception>
    public static Tensor TokenConcat(Tensor token, Tensor tokens)
    {
        if (tokens.Rank != 3 || token.Rank != 3 || token.Size(0) != 1 || token.Size(1) != 1 || token.Size(2) != tokens.Size(2))
            throw new ArgumentException($"TokenConcat needs a token [1, 1, C] and tokens [B, N, C]; got {Tensor.FormatShape(token.Shape)} and {Tensor.FormatShape(tokens.Shape)}.");
        using var trace = OpTrace.Enter();
        var expanded = Expand(token, tokens.Size(0), 1, tokens.Size(2));
        var y = Concat([expanded, tokens], 1);
        return trace.IsRecording ? trace.Record(new TracedOp(TracedOpKind.TokenConcat, y, token, tokens)) : y;
    }
}
