using FormerSearch.Engine.Tracing;

namespace FormerSearch.Export;

internal sealed partial class TraceConverter
{
    // A reshape done where the value is, when its runs of dimensions are together there (an NCHW map to tokens is
    // PyTorch's flatten(2), held as [B, C, N]); otherwise in engine order. The batch dimension is written as −1.
    private GraphValue Reshape(TracedOp op, GraphValue x)
    {
        var target = op.Shape;
        var groups = ReshapeGroups.Of(x.Shape, target);
        int batchDim = groups.OutputBatchDim(x.BatchDim, target);
        string input = x.Name!;
        var layout = groups.OutputLayout(x.Layout);
        if (layout is null)
        {
            input = Materialize(x, Layouts.Identity(x.Rank));
            layout = Layouts.Identity(target.Length);
        }
        var shape = Layouts.OnnxShape(target, layout);
        shape[Array.IndexOf(layout, batchDim)] = -1;
        return Result(op, _graph.Node("Reshape", [input, _graph.Int64s(shape)]), layout, batchDim);
    }

    // A permutation only changes which engine dimension each ONNX dimension holds: no node.
    private static GraphValue Permute(TracedOp op, GraphValue x)
    {
        var inverse = Layouts.Inverse(op.Dims);
        var layout = new int[x.Rank];
        for (int i = 0; i < layout.Length; i++) layout[i] = inverse[x.Layout[i]];
        return GraphValue.Computed(x.Name!, op.Output.Shape.ToArray(), layout, inverse[x.BatchDim]);
    }

    private GraphValue Narrow(TracedOp op, GraphValue x)
    {
        if (op.Axis == x.BatchDim)
        {
            if (op.Start == 0 && op.Length == x.Shape[op.Axis]) return x;
            throw new InvalidOperationException("The traced forward takes part of the batch.");
        }
        return Like(op, _graph.Slice(x.Name!, x.PositionOf(op.Axis), op.Start, op.Start + op.Length), x);
    }

    // One index of an axis, the axis dropped: Gather with a scalar index, as torch.onnx writes x[:, 0]. A permuted value is
    // put in engine order first (once, shared by every Select of it): attention's q, k and v then come out as the products
    // need them, from one Transpose of the permuted qkv as in PyTorch's code.
    private GraphValue Select(TracedOp op, GraphValue x)
    {
        if (op.Axis == x.BatchDim) throw new InvalidOperationException("The traced forward picks one sample of the batch.");
        var layout = Layouts.Identity(x.Rank);
        var y = _graph.Node("Gather", [Materialize(x, layout), _graph.Int64Scalar(op.Start)], OnnxGraph.Attr("axis", op.Axis));
        return Result(op, y, Layouts.Identity(x.Rank - 1), x.BatchDim - (op.Axis < x.BatchDim ? 1 : 0));
    }

    private GraphValue Reduce(TracedOp op, GraphValue x, int[] dims, bool mean, bool keepDim)
    {
        if (dims.Length == 0 || dims.Contains(x.BatchDim)) throw new InvalidOperationException("The traced forward reduces over the batch.");
        var axes = dims.Select(d => (long)x.PositionOf(d)).Order().ToArray();
        var y = mean
            ? _graph.ReduceMean(x.Name!, axes, keepDim)
            : _graph.Node("ReduceSum", [x.Name!, _graph.Int64s(axes)], OnnxGraph.Attr("keepdims", keepDim ? 1 : 0));
        if (keepDim) return Like(op, y, x);
        return Result(op, y, Layouts.WithoutDims(x.Layout, dims), x.BatchDim - dims.Count(d => d < x.BatchDim));
    }

    private GraphValue Concat(TracedOp op, GraphValue[] inputs)
    {
        var lead = inputs.First(v => !v.IsConstant);
        if (op.Axis == lead.BatchDim) throw new InvalidOperationException("The traced forward joins along the batch.");
        var layout = MeetingLayout(lead.Rank, inputs);
        var names = inputs.Select(v => Materialize(v, layout)).ToArray();
        var y = _graph.Node("Concat", names, OnnxGraph.Attr("axis", Array.IndexOf(layout, op.Axis)));
        return Result(op, y, layout, lead.BatchDim);
    }

    // ViT's class token in front of the patch tokens: the token expanded to the batch of the input (its size read at run
    // time, so the batch stays dynamic), then joined along the tokens, as torch.onnx writes cls_token.expand(B, -1, -1).
    private GraphValue TokenConcat(TracedOp op, GraphValue token, GraphValue tokens)
    {
        var layout = tokens.Layout;
        int batchAt = tokens.PositionOf(tokens.BatchDim);
        var dims = Layouts.OnnxShape(token.Shape, layout);
        var pieces = new List<string>();
        if (batchAt > 0) pieces.Add(_graph.Int64s(dims[..batchAt]));
        pieces.Add(_graph.Node("Gather", [_graph.Node("Shape", [tokens.Name!]), _graph.Int64s(batchAt)], OnnxGraph.Attr("axis", 0)));
        if (batchAt + 1 < dims.Length) pieces.Add(_graph.Int64s(dims[(batchAt + 1)..]));
        var shape = _graph.Node("Concat", pieces, OnnxGraph.Attr("axis", 0));
        var expanded = _graph.Node("Expand", [Materialize(token, layout), shape]);
        return Like(op, _graph.Node("Concat", [expanded, tokens.Name!], OnnxGraph.Attr("axis", tokens.PositionOf(1))), tokens);
    }

    // An expand of a computed value: ONNX's Expand broadcasts both ways, so a 1 where the batch is keeps it.
    private GraphValue Expand(TracedOp op, GraphValue x)
    {
        if (op.Shape.Length != x.Rank) throw new InvalidOperationException("The traced forward expands a computed value to more dimensions.");
        var shape = Layouts.OnnxShape(op.Shape, x.Layout);
        shape[x.PositionOf(x.BatchDim)] = 1;
        return Like(op, _graph.Node("Expand", [x.Name!, _graph.Int64s(shape)]), x);
    }
}
