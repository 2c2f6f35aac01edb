using FormerSearch.Engine.Tracing;

namespace FormerSearch.Export;

internal sealed partial class TraceConverter
{
    // Conv2d (weight OHWI, written OIHW as PyTorch holds it), depthwise Conv2d (weight [C, kh, kw] → [C, 1, kh, kw]) and
    // GLiT's depthwise Conv1d along the tokens (weight [C, k] → [C, 1, k]), all on channels-first values.
    private GraphValue Convolution(TracedOp op, GraphValue x, GraphValue weight, GraphValue? bias)
    {
        if (!weight.IsConstant) throw new InvalidOperationException("The traced forward convolves with a computed weight; the exporter writes weights only as constants.");
        var layout = Layouts.ChannelsFirst(x.Rank);
        int channels = x.Shape[^1];
        string w;
        long[] kernel, strides, pads;
        long groups;
        switch (op.Kind)
        {
            case TracedOpKind.Conv2d:
                w = Materialize(weight, [0, 3, 1, 2]);
                kernel = [weight.Shape[1], weight.Shape[2]];
                strides = [op.Stride.H, op.Stride.W];
                pads = [op.Padding.H, op.Padding.W, op.Padding.H, op.Padding.W];
                groups = op.Groups;
                break;
            case TracedOpKind.DepthwiseConv2d:
                w = ConstantAs(weight, [weight.Shape[0], 1, weight.Shape[1], weight.Shape[2]]);
                kernel = [weight.Shape[1], weight.Shape[2]];
                strides = [op.Stride.H, op.Stride.W];
                pads = [op.Padding.H, op.Padding.W, op.Padding.H, op.Padding.W];
                groups = channels;
                break;
            default:
                w = ConstantAs(weight, [weight.Shape[0], 1, weight.Shape[1]]);
                kernel = [weight.Shape[1]];
                strides = [1];
                pads = [op.Padding.W, op.Padding.W];
                groups = channels;
                break;
        }
        var inputs = bias is null ? new[] { Materialize(x, layout), w } : [Materialize(x, layout), w, Materialize(bias, [0])];
        var y = _graph.Node("Conv", inputs,
            OnnxGraph.Attr("kernel_shape", kernel), OnnxGraph.Attr("strides", strides), OnnxGraph.Attr("pads", pads), OnnxGraph.Attr("group", groups));
        return Result(op, y, layout, x.BatchDim);
    }

    // Average pooling on NCHW; ONNX's count_include_pad=0 is PyTorch's count_include_pad=False.
    private GraphValue AvgPool2d(TracedOp op, GraphValue x)
    {
        var layout = Layouts.ChannelsFirst(4);
        var y = _graph.Node("AveragePool", [Materialize(x, layout)],
            OnnxGraph.Attr("kernel_shape", [op.Kernel.H, op.Kernel.W]),
            OnnxGraph.Attr("strides", [op.Stride.H, op.Stride.W]),
            OnnxGraph.Attr("pads", [op.Padding.H, op.Padding.W, op.Padding.H, op.Padding.W]),
            OnnxGraph.Attr("count_include_pad", op.CountIncludePad ? 1 : 0));
        return Result(op, y, layout, x.BatchDim);
    }

    // The mean over every position: GlobalAveragePool and Flatten on an NCHW map, a ReduceMean otherwise.
    private GraphValue GlobalAvgPool(TracedOp op, GraphValue x)
    {
        if (x.Rank == 4 && Layouts.Same(x.Layout, Layouts.ChannelsFirst(4)))
        {
            var pooled = _graph.Node("GlobalAveragePool", [x.Name!]);
            return Result(op, _graph.Node("Flatten", [pooled], OnnxGraph.Attr("axis", 1)), Layouts.Identity(2), x.BatchDim);
        }
        var positions = Enumerable.Range(1, x.Rank - 2).ToArray();
        return Reduce(op, x, positions, mean: true, keepDim: false);
    }
}
