using FormerSearch.Engine.Tracing;

namespace FormerSearch.Export;

internal sealed partial class TraceConverter
{
    // A linear layer over the channels: a 1×1 (or kernel-1) convolution when the value is channels-first, as PoolFormer's
    // MLP and GLiT's pointwise Conv1d are in PyTorch; otherwise Gemm on a matrix, MatMul with the transposed weight and
    // Add on more dimensions, as torch.onnx writes nn.Linear.
    private GraphValue Linear(TracedOp op, GraphValue x, GraphValue weight, GraphValue? bias)
    {
        if (!weight.IsConstant) throw new InvalidOperationException("The traced forward multiplies by a computed weight in a linear layer; the exporter writes weights only as constants.");
        int rank = x.Rank;
        if (x.BatchDim == rank - 1) throw new InvalidOperationException("A linear layer of the traced forward mixes the batch.");
        if (rank >= 3 && Layouts.Same(x.Layout, Layouts.ChannelsFirst(rank)))
        {
            var dims = new long[rank];
            dims.AsSpan().Fill(1);
            (dims[0], dims[1]) = (weight.Shape[0], weight.Shape[1]);
            var kernel = new long[rank - 2];
            kernel.AsSpan().Fill(1);
            var inputs = bias is null ? new[] { x.Name!, ConstantAs(weight, dims) } : [x.Name!, ConstantAs(weight, dims), Materialize(bias, [0])];
            return Like(op, _graph.Node("Conv", inputs, OnnxGraph.Attr("kernel_shape", kernel)), x);
        }
        var layout = Layouts.Identity(rank);
        string input = Materialize(x, layout);
        string y;
        if (rank == 2)
        {
            var inputs = bias is null ? new[] { input, Materialize(weight, [0, 1]) } : [input, Materialize(weight, [0, 1]), Materialize(bias, [0])];
            y = _graph.Node("Gemm", inputs, OnnxGraph.Attr("transB", 1));
        }
        else
        {
            y = _graph.Node("MatMul", [input, Materialize(weight, [1, 0])]);
            if (bias is not null) y = _graph.Node("Add", [y, Materialize(bias, [0])]);
        }
        return Result(op, y, layout, x.BatchDim);
    }

    // A batched matrix product. A constant matrix times a value held transposed (a token map [B, C, N] that the engine
    // sees as [B, N, C], as in the spatial FC) is written as the transposed product, so neither side is transposed.
    private GraphValue MatMul(TracedOp op, GraphValue a, GraphValue b)
    {
        int rank = op.Output.Rank;
        int batchDim = MatMulBatchDim(a, b, rank);
        if (a.IsConstant && a.Rank == 2 && Layouts.Same(b.Layout, Layouts.LastTwoSwapped(b.Rank)))
            return Result(op, _graph.Node("MatMul", [b.Name!, Materialize(a, [1, 0])]), Layouts.LastTwoSwapped(rank), batchDim);
        if (b.IsConstant && b.Rank == 2 && Layouts.Same(a.Layout, Layouts.LastTwoSwapped(a.Rank)))
            return Result(op, _graph.Node("MatMul", [Materialize(b, [1, 0]), a.Name!]), Layouts.LastTwoSwapped(rank), batchDim);
        var y = _graph.Node("MatMul", [Materialize(a, Layouts.Identity(a.Rank)), Materialize(b, Layouts.Identity(b.Rank))]);
        return Result(op, y, Layouts.Identity(rank), batchDim);
    }

    // Where the batch of a product lands: a leading dimension stays leading, a's rows are the result's rows, b's columns its columns.
    private static int MatMulBatchDim(GraphValue a, GraphValue b, int rank)
    {
        if (!a.IsConstant)
        {
            if (a.BatchDim == a.Rank - 1) throw new InvalidOperationException("A matrix product of the traced forward sums over the batch.");
            return a.BatchDim == a.Rank - 2 ? rank - 2 : rank - a.Rank + a.BatchDim;
        }
        if (b.BatchDim == b.Rank - 2) throw new InvalidOperationException("A matrix product of the traced forward sums over the batch.");
        return b.BatchDim == b.Rank - 1 ? rank - 1 : rank - b.Rank + b.BatchDim;
    }
}
