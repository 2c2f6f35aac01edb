using FormerSearch.Engine;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Export;

internal sealed partial class TraceConverter
{
    // Add, Sub, Mul, Div: the result takes the layout of a full-rank computed operand; the other is brought to it.
    private GraphValue Binary(TracedOp op, GraphValue a, GraphValue b)
    {
        int rank = op.Output.Rank;
        var layout = MeetingLayout(rank, a, b);
        var y = _graph.Node(op.Kind.ToString(), [Operand(a, rank, layout), Operand(b, rank, layout)]);
        var computed = a.IsConstant ? b : a;
        return Result(op, y, layout, rank - computed.Rank + computed.BatchDim);
    }

    /// <summary>
    /// The layout of an op's result whose computed full-rank inputs are <paramref name="inputs"/>: theirs when they agree,
    /// else the <see cref="Layouts.Canonical"/> one if one of them has it (a residual stream meeting a branch), else the first's.
    /// </summary>
    private static int[] MeetingLayout(int rank, params GraphValue[] inputs)
    {
        var computed = inputs.Where(v => !v.IsConstant && v.Rank == rank).ToList();
        if (computed.Count == 0) return Layouts.Identity(rank);
        var canonical = Layouts.Canonical(rank);
        return computed.Any(v => Layouts.Same(v.Layout, canonical)) ? canonical : computed[0].Layout;
    }

    private GraphValue Activation(TracedOp op, GraphValue x)
    {
        string input = x.Name!;
        string y = op.Activation switch
        {
            ActivationKind.Relu => _graph.Node("Relu", [input]),
            ActivationKind.Sigmoid => _graph.Node("Sigmoid", [input]),
            ActivationKind.Tanh => _graph.Node("Tanh", [input]),
            ActivationKind.Relu6 => _graph.Node("Clip", [input, _graph.FloatScalar(0f), _graph.FloatScalar(6f)]),
            ActivationKind.Silu => _graph.Node("Mul", [input, _graph.Node("Sigmoid", [input])]),
            ActivationKind.Gelu => Gelu(input),
            _ => throw new InvalidOperationException($"The exporter has no form for activation {op.Activation}."),
        };
        return Like(op, y, x);
    }

    // GELU's erf form as torch.onnx writes it below opset 20, x·(1 + erf(x/√2))·0.5, which ONNX Runtime fuses back into one Gelu.
    private string Gelu(string x)
    {
        var erf = _graph.Node("Erf", [_graph.Node("Div", [x, _graph.FloatScalar(MathF.Sqrt(2f))])]);
        var scaled = _graph.Node("Mul", [x, _graph.Node("Add", [erf, _graph.FloatScalar(1f)])]);
        return _graph.Node("Mul", [scaled, _graph.FloatScalar(0.5f)]);
    }

    // GLU: the halves along the axis, a·σ(b), as torch.onnx writes F.glu.
    private GraphValue Glu(TracedOp op, GraphValue x)
    {
        long half = x.Shape[op.Axis] / 2;
        var halves = _graph.Node("Split", [x.Name!, _graph.Int64s(half, half)], 2, OnnxGraph.Attr("axis", x.PositionOf(op.Axis)));
        return Like(op, _graph.Node("Mul", [halves[0], _graph.Node("Sigmoid", [halves[1]])]), x);
    }

    // MetaFormer's StarReLU: scale·relu(x)² + bias, as its module computes it.
    private GraphValue StarRelu(TracedOp op, GraphValue x, GraphValue scale, GraphValue bias)
    {
        var squared = _graph.Node("Pow", [_graph.Node("Relu", [x.Name!]), _graph.FloatScalar(2f)]);
        var scaled = _graph.Node("Mul", [squared, Operand(scale, x.Rank, x.Layout)]);
        return Like(op, _graph.Node("Add", [scaled, Operand(bias, x.Rank, x.Layout)]), x);
    }

    private GraphValue Softmax(TracedOp op, GraphValue x)
    {
        string opType = op.Kind == TracedOpKind.Softmax ? "Softmax" : "LogSoftmax";
        return Like(op, _graph.Node(opType, [x.Name!], OnnxGraph.Attr("axis", x.PositionOf(x.Rank - 1))), x);
    }
}
