using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace FormerSearch.Export;

/// <summary>
/// An ONNX graph under construction: nodes in order, initializers with unique names, small int64 constants shared by
/// content, and the few ops whose form changed between the opsets the exporter writes (13–18).
/// </summary>
internal sealed class OnnxGraph
{
    private readonly HashSet<string> _names = [];
    private readonly Dictionary<string, string> _sharedConstants = [];
    private readonly Dictionary<string, NodeProto> _producers = [];
    private readonly Dictionary<string, int> _opCounts = [];
    private readonly List<(int[] Values, int[] Dims, string Name)> _indexTensors = [];

    /// <summary>An empty graph named <paramref name="name"/> for <paramref name="opset"/>.</summary>
    public OnnxGraph(string name, int opset)
    {
        Proto = new GraphProto { Name = name };
        Opset = opset;
    }

    /// <summary>The graph.</summary>
    public GraphProto Proto { get; }

    /// <summary>The default-domain opset the nodes are written for.</summary>
    public int Opset { get; }

    /// <summary>Adds a node of <paramref name="opType"/> with one output; returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Node(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node of <paramref name="opType"/> with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        _opCounts[opType] = _opCounts.GetValueOrDefault(opType) + 1;
        string name = Unique($"{opType}_{_opCounts[opType]}");
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        var names = new string[outputs];
        for (int i = 0; i < outputs; i++)
        {
            names[i] = outputs == 1 ? name : Unique($"{name}_{i}");
            node.Output.Add(names[i]);
            _producers[names[i]] = node;
        }
        Proto.Node.Add(node);
        return names;
    }

    /// <summary>Adds a float initializer called <paramref name="name"/> (or that name with a suffix when taken); returns its name.</summary>
    public string Initializer(string name, long[] dims, float[] data)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        // ONNX raw data is little-endian, as this machine's floats are (checked once by the exporter).
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A 1-D int64 initializer holding <paramref name="values"/> (shapes, axes, indices), shared by every node that needs the same values.</summary>
    public string Int64s(params long[] values) => Shared("i64:" + string.Join(',', values), "ints", values, [values.Length]);

    /// <summary>An int64 initializer of <paramref name="values"/> laid out in <paramref name="dims"/> (gather indices), shared by content.</summary>
    public string Int64Tensor(int[] values, int[] dims)
    {
        foreach (var (known, knownDims, knownName) in _indexTensors)
            if (known.AsSpan().SequenceEqual(values) && knownDims.AsSpan().SequenceEqual(dims)) return knownName;
        var tensor = new TensorProto { Name = Unique("indices"), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims.Select(d => (long)d));
        tensor.Int64Data.AddRange(values.Select(v => (long)v));
        Proto.Initializer.Add(tensor);
        _indexTensors.Add((values, dims, tensor.Name));
        return tensor.Name;
    }

    /// <summary>A rank-0 int64 initializer (a Gather index that drops its axis).</summary>
    public string Int64Scalar(long value) => Shared("i64s:" + value, "index", [value], []);

    /// <summary>A rank-0 float initializer, shared by content.</summary>
    public string FloatScalar(float value)
    {
        string key = "f32s:" + BitConverter.SingleToInt32Bits(value);
        if (_sharedConstants.TryGetValue(key, out var name)) return name;
        return _sharedConstants[key] = Initializer("scalar", [], [value]);
    }

    /// <summary>A 1-D float initializer holding <paramref name="values"/>, shared by content (the unit scale of a norm).</summary>
    public string Floats(params float[] values)
    {
        string key = "f32:" + string.Join(',', values.Select(BitConverter.SingleToInt32Bits));
        if (_sharedConstants.TryGetValue(key, out var name)) return name;
        return _sharedConstants[key] = Initializer("floats", [values.Length], values);
    }

    /// <summary>Mean over <paramref name="axes"/> (an attribute up to opset 17, an input from 18).</summary>
    public string ReduceMean(string x, long[] axes, bool keepDims) => Opset >= 18
        ? Node("ReduceMean", [x, Int64s(axes)], Attr("keepdims", keepDims ? 1 : 0))
        : Node("ReduceMean", [x], Attr("axes", axes), Attr("keepdims", keepDims ? 1 : 0));

    /// <summary>Elements <c>[start, end)</c> of <paramref name="axis"/>.</summary>
    public string Slice(string x, int axis, long start, long end) =>
        Node("Slice", [x, Int64s(start), Int64s(end), Int64s(axis)]);

    /// <summary>Renames graph value <paramref name="name"/> (made by a node) to <paramref name="newName"/>; adds an Identity when no node made it.</summary>
    public void Rename(string name, string newName)
    {
        if (name == newName) return;
        bool consumed = Proto.Node.Any(n => n.Input.Contains(name));
        if (consumed || !_producers.TryGetValue(name, out var node) || !_names.Add(newName))
        {
            var output = Node("Identity", [name]);
            Rename(output, newName);
            return;
        }
        int index = node.Output.IndexOf(name);
        node.Output[index] = newName;
        _producers.Remove(name);
        _producers[newName] = node;
    }

    /// <summary>Reserves <paramref name="name"/> (a graph input's) so nothing else takes it.</summary>
    public void Reserve(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"The graph name '{name}' is taken.");
    }

    /// <summary>An int attribute.</summary>
    public static AttributeProto Attr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attr(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An ints attribute.</summary>
    public static AttributeProto Attr(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private string Shared(string key, string name, long[] values, long[] dims)
    {
        if (_sharedConstants.TryGetValue(key, out var existing)) return existing;
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        Proto.Initializer.Add(tensor);
        return _sharedConstants[key] = tensor.Name;
    }

    private string Unique(string name)
    {
        if (_names.Add(name)) return name;
        for (int i = 1; ; i++)
            if (_names.Add($"{name}_{i}")) return $"{name}_{i}";
    }
}
