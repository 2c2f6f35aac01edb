using FormerSearch.Engine;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Export;

/// <summary>
/// Turns an <see cref="OpTrace"/> of an eval-mode forward into ONNX nodes, one small group per traced op (this file: the
/// bookkeeping; the ops in <c>TraceConverter.*.cs</c> by family). Each traced tensor becomes a <see cref="GraphValue"/>.
/// Layouts are tracked rather than fixed: a convolution or pooling takes and gives channels-first maps, a view
/// (permute, and reshapes that keep runs of dimensions together) changes only the recorded layout, and a Transpose is
/// written only where a node needs another layout than the one its input has. Ops whose inputs are all constants
/// (a reshaped weight, AutoFormer's relative-position tables) are folded: the engine already computed their values.
/// </summary>
internal sealed partial class TraceConverter
{
    private readonly OnnxGraph _graph;
    private readonly IReadOnlyDictionary<Tensor, string> _constantNames;
    private readonly Dictionary<Tensor, GraphValue> _values = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(GraphValue Value, string Layout), string> _materialized = [];

    /// <summary>A converter writing into <paramref name="graph"/>; <paramref name="constantNames"/> names the model's parameters and buffers.</summary>
    public TraceConverter(OnnxGraph graph, IReadOnlyDictionary<Tensor, string> constantNames)
    {
        _graph = graph;
        _constantNames = constantNames;
    }

    /// <summary>Declares <paramref name="images"/> (channels-last, the batch first) as graph input <paramref name="name"/>, held NCHW.</summary>
    public void AddImages(Tensor images, string name) =>
        _values[images] = GraphValue.Computed(name, images.Shape.ToArray(), Layouts.ChannelsFirst(4), 0);

    /// <summary>
    /// Converts the ops of <paramref name="ops"/> that <paramref name="output"/> depends on, in order, and returns the
    /// output's graph value.
    /// </summary>
    /// <exception cref="InvalidOperationException">The trace holds an op or a pattern the exporter cannot express (a bug to report).</exception>
    public GraphValue Convert(IReadOnlyList<TracedOp> ops, Tensor output)
    {
        foreach (var op in Needed(ops, output)) _values[op.Output] = Convert(op);
        return Value(output);
    }

    // Ops whose results the output does not use (a discarded view, a value computed and not read) write nothing.
    private static List<TracedOp> Needed(IReadOnlyList<TracedOp> ops, Tensor output)
    {
        var wanted = new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { output };
        var needed = new List<TracedOp>();
        for (int i = ops.Count - 1; i >= 0; i--)
        {
            if (!wanted.Contains(ops[i].Output)) continue;
            needed.Add(ops[i]);
            foreach (var input in ops[i].Inputs)
                if (input is not null) wanted.Add(input);
        }
        needed.Reverse();
        return needed;
    }

    private GraphValue Convert(TracedOp op)
    {
        if (op.Kind is TracedOpKind.Dropout or TracedOpKind.Loss)
            throw new InvalidOperationException($"The traced forward ran {op.Kind}, which an eval-mode model does not run.");
        var inputs = new GraphValue?[op.Inputs.Length];
        bool allConstant = true;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (op.Inputs[i] is not { } tensor) continue;
            inputs[i] = Value(tensor);
            allConstant &= inputs[i]!.IsConstant;
        }
        if (allConstant) return Fold(op, inputs);
        var x = inputs[0]!;
        return op.Kind switch
        {
            TracedOpKind.Add or TracedOpKind.Sub or TracedOpKind.Mul or TracedOpKind.Div => Binary(op, x, inputs[1]!),
            TracedOpKind.Activation => Activation(op, x),
            TracedOpKind.Glu => Glu(op, x),
            TracedOpKind.StarRelu => StarRelu(op, x, inputs[1]!, inputs[2]!),
            TracedOpKind.Softmax or TracedOpKind.LogSoftmax => Softmax(op, x),
            TracedOpKind.LayerNorm => LayerNorm(op, x, inputs[1], inputs[2]),
            TracedOpKind.GroupNorm1 => GroupNorm1(op, x, inputs[1], inputs[2]),
            TracedOpKind.BatchNorm => BatchNorm(op, x, inputs[1], inputs[2], inputs[3], inputs[4]),
            TracedOpKind.Conv2d or TracedOpKind.DepthwiseConv2d or TracedOpKind.DepthwiseConv1d => Convolution(op, x, inputs[1]!, inputs[2]),
            TracedOpKind.AvgPool2d => AvgPool2d(op, x),
            TracedOpKind.GlobalAvgPool => GlobalAvgPool(op, x),
            TracedOpKind.Sum or TracedOpKind.Mean => Reduce(op, x, op.Dims, op.Kind == TracedOpKind.Mean, op.KeepDim),
            TracedOpKind.MatMul => MatMul(op, x, inputs[1]!),
            TracedOpKind.Linear => Linear(op, x, inputs[1]!, inputs[2]),
            TracedOpKind.Concat => Concat(op, inputs!),
            TracedOpKind.TokenConcat => TokenConcat(op, x, inputs[1]!),
            TracedOpKind.Expand => Expand(op, x),
            TracedOpKind.Reshape => Reshape(op, x),
            TracedOpKind.Permute => Permute(op, x),
            TracedOpKind.Narrow => Narrow(op, x),
            TracedOpKind.Select => Select(op, x),
            TracedOpKind.Identity => x,
            _ => throw new InvalidOperationException($"The exporter cannot write {op.Kind} of a computed value."),
        };
    }

    /// <summary>The graph value of <paramref name="tensor"/>: computed by a converted op, or a parameter, buffer or scalar constant.</summary>
    private GraphValue Value(Tensor tensor)
    {
        if (_values.TryGetValue(tensor, out var value)) return value;
        string? name = _constantNames.GetValueOrDefault(tensor);
        if (name is null && tensor.Rank != 0)
            throw new InvalidOperationException($"The traced forward read a {Tensor.FormatShape(tensor.Shape)} tensor that no traced op made and that is not a parameter or buffer of the model.");
        return _values[tensor] = GraphValue.Constant(tensor.ToArray(), tensor.Shape.ToArray(), name ?? "scalar");
    }

    // A view of a constant keeps its name (a reshaped weight is still that weight); a computed one says what made it.
    private static GraphValue Fold(TracedOp op, GraphValue?[] inputs)
    {
        string source = inputs.FirstOrDefault(v => v is not null)?.ConstantName ?? "const";
        bool view = op.Kind is TracedOpKind.Reshape or TracedOpKind.Permute or TracedOpKind.Narrow or TracedOpKind.Select or TracedOpKind.Identity;
        string name = view ? source : $"{source}.{op.Kind.ToString().ToLowerInvariant()}";
        var data = op.Output.ToArray();
        var shape = op.Output.Shape.ToArray();
        return Expands(op, inputs) ? GraphValue.Recomputed(data, shape, name, op, inputs) : GraphValue.Constant(data, shape, name);
    }

    // Whether a folded constant is better recomputed by the graph than stored: it grows from its inputs (a gather of table
    // rows, a broadcast) or is derived from one that does, and the op is one ReplayConstant writes.
    private static bool Expands(TracedOp op, GraphValue?[] inputs)
    {
        if (op.Kind is not (TracedOpKind.Embedding or TracedOpKind.Add or TracedOpKind.Sub or TracedOpKind.Mul or TracedOpKind.Div
            or TracedOpKind.Permute or TracedOpKind.Reshape or TracedOpKind.Identity)) return false;
        if (inputs.Any(v => v?.Recipe is not null)) return true;
        long read = inputs.Sum(v => v?.Data!.LongLength ?? 0);
        return op.Output.Numel > 4096 && op.Output.Numel > 2 * read;
    }

    /// <summary>The nodes that recompute a constant with a <see cref="GraphValue.Recipe"/>, in engine order; returns their output.</summary>
    private string ReplayConstant(GraphValue constant)
    {
        var key = (constant, "replay");
        if (_materialized.TryGetValue(key, out var name)) return name;
        var (op, inputs) = constant.Recipe!.Value;
        int rank = constant.Rank;
        name = op.Kind switch
        {
            TracedOpKind.Embedding => _graph.Node("Gather", [Materialize(inputs[0]!, [0, 1]), _graph.Int64Tensor(op.Indices, op.Shape)], OnnxGraph.Attr("axis", 0)),
            TracedOpKind.Permute => _graph.Node("Transpose", [Materialize(inputs[0]!, Layouts.Identity(rank))], OnnxGraph.Attr("perm", op.Dims.Select(d => (long)d).ToArray())),
            TracedOpKind.Reshape => _graph.Node("Reshape", [Materialize(inputs[0]!, Layouts.Identity(inputs[0]!.Rank)), _graph.Int64s(op.Shape.Select(d => (long)d).ToArray())]),
            TracedOpKind.Identity => Materialize(inputs[0]!, Layouts.Identity(rank)),
            _ => _graph.Node(op.Kind.ToString(), [Operand(inputs[0]!, rank, Layouts.Identity(rank)), Operand(inputs[1]!, rank, Layouts.Identity(rank))]),
        };
        return _materialized[key] = name;
    }

    /// <summary>A computed value named <paramref name="name"/> holding <paramref name="op"/>'s output in <paramref name="layout"/>.</summary>
    private static GraphValue Result(TracedOp op, string name, int[] layout, int batchDim) =>
        GraphValue.Computed(name, op.Output.Shape.ToArray(), layout, batchDim);

    /// <summary>A computed value with <paramref name="like"/>'s layout and batch dimension (an elementwise op's result).</summary>
    private static GraphValue Like(TracedOp op, string name, GraphValue like) => Result(op, name, like.Layout, like.BatchDim);

    /// <summary>
    /// The name of <paramref name="value"/> in <paramref name="layout"/>: itself, a Transpose of it (made once per layout),
    /// or, for a constant, an initializer with its values rearranged.
    /// </summary>
    private string Materialize(GraphValue value, int[] layout)
    {
        if (!value.IsConstant && Layouts.Same(value.Layout, layout)) return value.Name!;
        var key = (value, string.Join(',', layout));
        if (_materialized.TryGetValue(key, out var name)) return name;
        if (value.Recipe is not null)
        {
            var replayed = GraphValue.Replayed(ReplayConstant(value), value.Shape);
            return _materialized[key] = Materialize(replayed, layout);
        }
        if (value.IsConstant)
        {
            string initializer = Layouts.IsIdentity(layout) || value.Rank != 2 ? value.ConstantName : value.ConstantName + ".T";
            name = _graph.Initializer(initializer, Layouts.OnnxShape(value.Shape, layout), Layouts.Permute(value.Data!, value.Shape, layout));
        }
        else
        {
            var perm = new long[layout.Length];
            for (int i = 0; i < layout.Length; i++) perm[i] = value.PositionOf(layout[i]);
            name = _graph.Node("Transpose", [value.Name!], OnnxGraph.Attr("perm", perm));
        }
        return _materialized[key] = name;
    }

    /// <summary>A constant's values as an initializer of <paramref name="dims"/> (the same row-major data: a weight with unit dimensions added).</summary>
    private string ConstantAs(GraphValue constant, long[] dims)
    {
        if (!constant.IsConstant) throw new InvalidOperationException("The traced forward computes a weight from its input; the exporter writes weights only as constants.");
        var key = (constant, "as:" + string.Join(',', dims));
        if (_materialized.TryGetValue(key, out var name)) return name;
        return _materialized[key] = _graph.Initializer(constant.ConstantName, dims, constant.Data!);
    }

    /// <summary>
    /// <paramref name="value"/> as an operand of an op whose result has <paramref name="rank"/> dimensions in
    /// <paramref name="layout"/>, broadcasting as the engine does (right-aligned in engine order): a constant is
    /// rearranged and its leading unit dimensions dropped (a per-channel <c>[C]</c> becomes <c>[C, 1, 1]</c> for NCHW).
    /// </summary>
    private string Operand(GraphValue value, int rank, int[] layout)
    {
        if (value.Rank == rank) return Materialize(value, layout);
        int missing = rank - value.Rank;
        if (value.Recipe is not null) return Operand(GraphValue.Replayed(ReplayConstant(value), value.Shape), rank, layout);
        if (value.IsConstant)
        {
            var key = (value, $"broadcast:{string.Join(',', layout)}");
            if (_materialized.TryGetValue(key, out var name)) return name;
            var padded = new int[rank];
            padded.AsSpan().Fill(1);
            value.Shape.CopyTo(padded, missing);
            var dims = Layouts.OnnxShape(padded, layout);
            int lead = 0;
            while (lead < dims.Length && dims[lead] == 1) lead++;
            return _materialized[key] = _graph.Initializer(value.ConstantName, dims[lead..], Layouts.Permute(value.Data!, padded, layout));
        }
        var axes = new long[missing];
        for (int i = 0; i < missing; i++) axes[i] = i;
        string unsqueezed = _graph.Node("Unsqueeze", [Materialize(value, Layouts.Identity(value.Rank)), _graph.Int64s(axes)]);
        var full = GraphValue.Replayed(unsqueezed, [.. Enumerable.Repeat(1, missing), .. value.Shape]);
        return Materialize(full, layout);
    }
}
