namespace FormerSearch.Export;

/// <summary>
/// What a tensor of the traced forward is in the ONNX graph: either a value computed from the input (an ONNX value name,
/// held in a layout, with one dimension that carries the batch) or a constant (the engine's values, row-major in the
/// engine's order, written as an initializer in whatever layout a node needs).
/// </summary>
internal sealed class GraphValue
{
    private GraphValue(int[] shape) => Shape = shape;

    /// <summary>Engine shape at the trace's batch size.</summary>
    public int[] Shape { get; }

    /// <summary>Engine rank.</summary>
    public int Rank => Shape.Length;

    /// <summary>ONNX value name of a computed value; null for a constant.</summary>
    public string? Name { get; private init; }

    /// <summary>Layout of a computed value (see <see cref="Layouts"/>); the engine order for a constant.</summary>
    public int[] Layout { get; private init; } = [];

    /// <summary>The engine dimension that carries the batch (a computed value has exactly one).</summary>
    public int BatchDim { get; private init; } = -1;

    /// <summary>A constant's values, row-major in engine order; null for a computed value.</summary>
    public float[]? Data { get; private init; }

    /// <summary>What a constant's initializer is called (its state-dict name when it is a parameter or a view of one).</summary>
    public string ConstantName { get; private init; } = "const";

    /// <summary>
    /// For a constant much larger than what it is computed from (AutoFormer's relative-position tables gathered to
    /// <c>[N, N, d]</c>), the op that computed it from its constant inputs: the graph then recomputes it (ONNX Runtime folds
    /// it when it loads the model) instead of storing it. Null for a constant stored as it is.
    /// </summary>
    public (Engine.Tracing.TracedOp Op, GraphValue?[] Inputs)? Recipe { get; private init; }

    /// <summary>True for a constant.</summary>
    public bool IsConstant => Data is not null;

    /// <summary>The ONNX position of engine dimension <paramref name="engineDim"/> of a computed value.</summary>
    public int PositionOf(int engineDim) => Array.IndexOf(Layout, engineDim);

    /// <summary>A computed value.</summary>
    public static GraphValue Computed(string name, int[] shape, int[] layout, int batchDim)
    {
        if (batchDim < 0 || batchDim >= shape.Length)
            throw new InvalidOperationException($"A value of the traced forward of shape {Engine.Tensor.FormatShape(shape)} has lost its batch dimension.");
        return new GraphValue(shape) { Name = name, Layout = layout, BatchDim = batchDim };
    }

    /// <summary>A value the graph computes from constants alone (a replayed <see cref="Recipe"/>), in engine order, with no batch.</summary>
    public static GraphValue Replayed(string name, int[] shape) => new(shape) { Name = name, Layout = Layouts.Identity(shape.Length) };

    /// <summary>A constant computed by <paramref name="op"/> from <paramref name="inputs"/>, written by replaying the op.</summary>
    public static GraphValue Recomputed(float[] data, int[] shape, string name, Engine.Tracing.TracedOp op, GraphValue?[] inputs) =>
        new(shape) { Data = data, Layout = Layouts.Identity(shape.Length), ConstantName = name, Recipe = (op, inputs) };

    /// <summary>A constant with <paramref name="data"/> (row-major, engine order) called <paramref name="name"/>.</summary>
    public static GraphValue Constant(float[] data, int[] shape, string name) =>
        new(shape) { Data = data, Layout = Layouts.Identity(shape.Length), ConstantName = name };
}
