using FormerSearch.Engine.Tracing;

namespace FormerSearch.Export;

internal sealed partial class TraceConverter
{
    // LayerNorm over the channels. On NCHW maps as PoolFormer's and BurgerFormer's LayerNormChannel computes it (mean and
    // biased variance over axis 1, then the per-channel affine); on tokens ONNX's LayerNormalization (opset 17 on).
    private GraphValue LayerNorm(TracedOp op, GraphValue x, GraphValue? weight, GraphValue? bias)
    {
        int rank = x.Rank;
        if (rank == 4 && Layouts.Same(x.Layout, Layouts.ChannelsFirst(4)))
            return Like(op, NormalizeAlong(x.Name!, 1, rank, x.Layout, weight, bias, op.Eps), x);
        var layout = Layouts.Identity(rank);
        string input = Materialize(x, layout);
        if (_graph.Opset < 17)
            return Result(op, NormalizeAlong(input, rank - 1, rank, layout, weight, bias, op.Eps), layout, x.BatchDim);
        int channels = x.Shape[^1];
        string scale = weight is null ? _graph.Floats(Filled(channels, 1f)) : Materialize(weight, [0]);
        var inputs = bias is null ? new[] { input, scale } : [input, scale, Materialize(bias, [0])];
        var y = _graph.Node("LayerNormalization", inputs, OnnxGraph.Attr("axis", -1), OnnxGraph.Attr("epsilon", op.Eps));
        return Result(op, y, layout, x.BatchDim);
    }

    private string NormalizeAlong(string x, int axis, int rank, int[] layout, GraphValue? weight, GraphValue? bias, float eps)
    {
        var mean = _graph.ReduceMean(x, [axis], keepDims: true);
        var centred = _graph.Node("Sub", [x, mean]);
        var variance = _graph.ReduceMean(_graph.Node("Pow", [centred, _graph.FloatScalar(2f)]), [axis], keepDims: true);
        var std = _graph.Node("Sqrt", [_graph.Node("Add", [variance, _graph.FloatScalar(eps)])]);
        return Affine(_graph.Node("Div", [centred, std]), rank, layout, weight, bias);
    }

    // GroupNorm(1, C) as torch.onnx writes it: the sample flattened to one group, InstanceNormalization, the shape back,
    // then the per-channel affine. The statistics cover the whole sample, so any layout with the batch first will do.
    private GraphValue GroupNorm1(TracedOp op, GraphValue x, GraphValue? weight, GraphValue? bias)
    {
        var layout = x.Layout[0] == 0 ? x.Layout : Layouts.Identity(x.Rank);
        string input = Materialize(x, layout);
        var flat = _graph.Node("Reshape", [input, _graph.Int64s(0, 1, -1)]);
        var normed = _graph.Node("InstanceNormalization", [flat, _graph.Floats(1f), _graph.Floats(0f)], OnnxGraph.Attr("epsilon", op.Eps));
        var shape = Layouts.OnnxShape(x.Shape, layout);
        shape[0] = 0;   // Reshape's 0: the batch as it is
        var back = _graph.Node("Reshape", [normed, _graph.Int64s(shape)]);
        return Result(op, Affine(back, x.Rank, layout, weight, bias), layout, x.BatchDim);
    }

    // Eval-mode BatchNorm: ONNX's BatchNormalization over axis 1, so the value goes channels-first.
    private GraphValue BatchNorm(TracedOp op, GraphValue x, GraphValue? weight, GraphValue? bias, GraphValue? mean, GraphValue? variance)
    {
        if (op.Training || mean is null || variance is null)
            throw new InvalidOperationException("The traced forward ran a BatchNorm on batch statistics; an eval-mode model uses its running statistics.");
        var layout = Layouts.ChannelsFirst(x.Rank);
        int channels = x.Shape[^1];
        var y = _graph.Node("BatchNormalization",
        [
            Materialize(x, layout),
            weight is null ? _graph.Floats(Filled(channels, 1f)) : Materialize(weight, [0]),
            bias is null ? _graph.Floats(Filled(channels, 0f)) : Materialize(bias, [0]),
            Materialize(mean, [0]),
            Materialize(variance, [0]),
        ], OnnxGraph.Attr("epsilon", op.Eps));
        return Result(op, y, layout, x.BatchDim);
    }

    private string Affine(string x, int rank, int[] layout, GraphValue? weight, GraphValue? bias)
    {
        if (weight is not null) x = _graph.Node("Mul", [x, Operand(weight, rank, layout)]);
        if (bias is not null) x = _graph.Node("Add", [x, Operand(bias, rank, layout)]);
        return x;
    }

    private static float[] Filled(int length, float value)
    {
        var values = new float[length];
        values.AsSpan().Fill(value);
        return values;
    }
}
