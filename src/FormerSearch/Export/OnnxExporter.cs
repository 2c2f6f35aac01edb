using System.Reflection;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Tracing;
using FormerSearch.Models;
using Google.Protobuf;
using Onnx;

namespace FormerSearch.Export;

/// <summary>
/// ONNX export by tracing: one eval-mode forward with an <see cref="OpTrace"/> attached, its ops converted to standard
/// ONNX nodes (<see cref="TraceConverter"/>), the weights written as initializers under their state-dict names. Every
/// zoo model and every extracted subnet exports this way, with no export code of its own. The graph takes NCHW float32
/// images <c>input</c> <c>[N, C, H, W]</c> and gives logits <c>logits</c> <c>[N, K]</c>, as a torch.onnx export of the
/// official model would; the file is ONNX IR version 8.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The graph input's name.</summary>
    public const string InputName = "input";

    /// <summary>The graph output's name.</summary>
    public const string OutputName = "logits";

    /// <summary>The name of a dynamic batch dimension.</summary>
    public const string BatchDimName = "batch";

    // Traced at two images: a batch of one would make the batch indistinguishable from the unit dimensions of reshapes.
    private const int TraceBatch = 2;

    /// <summary>
    /// The ONNX model of <paramref name="model"/>. The model is traced in eval mode (running BatchNorm statistics, no
    /// dropout or drop path) and returned to the mode it was in.
    /// </summary>
    /// <exception cref="UserInputException">The options are invalid (opset, batch size, a model card that does not fit the model).</exception>
    /// <exception cref="InvalidOperationException">The forward holds something the exporter cannot express (a bug), or a <see cref="TensorScope"/> is active.</exception>
    internal static ModelProto ToModelProto(VisionModel model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        options.Validate();
        options.ModelCard.Validate(model);
        if (TensorScope.IsActive) throw new InvalidOperationException("Export traces tensors that must outlive the forward: call it outside any TensorScope.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX initializers are little-endian; export needs a little-endian machine.");

        string name = options.ModelName ?? model.GetType().Name;
        var input = model.Input;
        var images = Tensor.Empty(TraceBatch, input.Height, input.Width, input.Channels);   // [B, H, W, C]
        new Generator(0).FillNormal(images.AsSpan());
        var graph = new OnnxGraph(name, options.Opset);
        graph.Reserve(InputName);
        var converter = new TraceConverter(graph, ConstantNames(model));
        converter.AddImages(images, InputName);

        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            Tensor logits;
            IReadOnlyList<TracedOp> ops;
            using (Tape.NoGrad())
            using (var trace = OpTrace.Start())
            {
                logits = model.Forward(images);
                ops = trace.Ops;
            }
            var output = converter.Convert(ops, logits);
            if (output.IsConstant || output.Rank != 2 || output.BatchDim != 0)
                throw new InvalidOperationException($"{name}'s traced forward does not give [batch, classes] logits computed from its input.");
            graph.Rename(ValueInEngineOrder(graph, output), OutputName);
        }
        finally
        {
            model.Train(wasTraining);
        }

        graph.Proto.Input.Add(TensorInfo(InputName, options.BatchSize, input.Channels, input.Height, input.Width));
        graph.Proto.Output.Add(TensorInfo(OutputName, options.BatchSize, model.NumClasses));
        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "FormerSearch",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = $"{name}: logits [N, {model.NumClasses}] of NCHW float32 images [N, {input.Channels}, {input.Height}, {input.Width}], exported by tracing an eval-mode forward.",
            Graph = graph.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (key, value) in options.ModelCard.Entries(model, name))
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }

    /// <summary>The serialized ONNX model of <paramref name="model"/> (see <see cref="ToModelProto"/>).</summary>
    /// <exception cref="UserInputException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">The forward holds something the exporter cannot express (a bug).</exception>
    public static byte[] ToBytes(VisionModel model, OnnxExportOptions? options = null) => ToModelProto(model, options).ToByteArray();

    /// <summary>
    /// Writes <paramref name="model"/> as ONNX to <paramref name="path"/>: to a temporary file beside it, renamed over the
    /// path only once complete, so an existing file is replaced only by a whole export.
    /// </summary>
    /// <exception cref="UserInputException">The options are invalid, or the file cannot be written (the message names it).</exception>
    /// <exception cref="InvalidOperationException">The forward holds something the exporter cannot express (a bug).</exception>
    public static void Save(VisionModel model, string path, OnnxExportOptions? options = null)
    {
        var bytes = ToBytes(model, options);
        try
        {
            AtomicFile.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot write the ONNX file '{path}': {e.Message}", e);
        }
    }

    // The output as the engine orders it ([B, K]), whatever layout the last node left it in.
    private static string ValueInEngineOrder(OnnxGraph graph, GraphValue output) =>
        Layouts.IsIdentity(output.Layout) ? output.Name! : graph.Node("Transpose", [output.Name!], OnnxGraph.Attr("perm", output.Layout.Select(d => (long)d).ToArray()));

    // Initializers take the state-dict names, as torch.onnx gives them.
    private static Dictionary<Tensor, string> ConstantNames(VisionModel model)
    {
        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, parameter) in model.NamedParameters()) names.TryAdd(parameter.Value, name);
        foreach (var (name, buffer) in model.NamedBuffers()) names.TryAdd(buffer, name);
        return names;
    }

    private static ValueInfoProto TensorInfo(string name, int? batchSize, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(batchSize is { } n ? new TensorShapeProto.Types.Dimension { DimValue = n } : new TensorShapeProto.Types.Dimension { DimParam = BatchDimName });
        foreach (int d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
