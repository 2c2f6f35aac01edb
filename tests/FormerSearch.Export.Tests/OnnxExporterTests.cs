using System.Runtime.InteropServices;
using FormerSearch.Engine;
using FormerSearch.Models;
using Onnx;

namespace FormerSearch.Export.Tests;

/// <summary>What the exported file holds besides the right logits: its version, signature, metadata, names and shape.</summary>
public sealed class OnnxExporterTests
{
    private static VisionModel Create(string name, int size = 64, int classes = 10) =>
        ModelRegistry.Create(name, ModelOptions.For(new ModelInput(3, size, size), classes) with { Seed = 5 });

    [Fact]
    public void The_file_is_ir_8_at_the_opset_with_nchw_input_logits_output_and_the_model_card()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 3));
        var card = new OnnxModelCard { ClassNames = ["cat", "dog", "bird"], Mean = [0.5f], Std = [0.25f] };
        var proto = OnnxExporter.ToModelProto(model, new OnnxExportOptions { ModelName = "poolformer_mini", ModelCard = card });

        Assert.Equal(8, proto.IrVersion);
        Assert.Equal("FormerSearch", proto.ProducerName);
        Assert.Equal(("", 17L), (proto.OpsetImport.Single().Domain, proto.OpsetImport.Single().Version));
        Assert.All(proto.Graph.Node, node => Assert.Equal("", node.Domain));
        Assert.Equal(["batch", "1", "28", "28"], Dims(proto.Graph.Input.Single()));
        Assert.Equal(OnnxExporter.InputName, proto.Graph.Input.Single().Name);
        Assert.Equal(["batch", "3"], Dims(proto.Graph.Output.Single()));
        Assert.Equal(OnnxExporter.OutputName, proto.Graph.Output.Single().Name);
        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("poolformer_mini", metadata["model"]);
        Assert.Equal("NCHW", metadata["input_layout"]);
        Assert.Equal("[1,28,28]", metadata["input_size"]);
        Assert.Equal("3", metadata["num_classes"]);
        Assert.Equal("[\"cat\",\"dog\",\"bird\"]", metadata["class_names"]);
        Assert.Equal("[0.5]", metadata["mean"]);
        Assert.Equal("[0.25]", metadata["std"]);
    }

    [Fact]
    public void Without_a_card_the_metadata_holds_the_models_own_sizes_only()
    {
        var proto = OnnxExporter.ToModelProto(Create("deit_tiny", 32));
        Assert.Equal(["model", "input_layout", "input_size", "num_classes"], proto.MetadataProps.Select(p => p.Key).ToArray());
        Assert.Equal("[3,32,32]", proto.MetadataProps[2].Value);
    }

    [Fact]
    public void PoolFormer_stays_nchw_with_no_transpose_and_pytorch_names_and_layouts()
    {
        var model = Create("poolformer_s12");
        var proto = OnnxExporter.ToModelProto(model);
        var ops = proto.Graph.Node.Select(n => n.OpType).ToList();
        Assert.DoesNotContain("Transpose", ops);
        Assert.Equal(12, ops.Count(op => op == "AveragePool"));
        Assert.Equal(4 + 2 * 12, ops.Count(op => op == "Conv"));                  // stem, 3 downsamplings, fc1 and fc2 of 12 blocks
        var expected = model.StateDict(pytorchLayout: true);
        foreach (string name in new[] { "patch_embed.proj.weight", "network.0.0.mlp.fc1.weight", "network.6.1.mlp.fc2.bias", "head.weight" })
        {
            var initializer = proto.Graph.Initializer.Single(t => t.Name == name);
            Assert.Equal(expected[name].Shape.ToArray().Select(d => (long)d), initializer.Dims);
            Assert.Equal(expected[name].ToArray(), MemoryMarshal.Cast<byte, float>(initializer.RawData.Span).ToArray());
        }
    }

    [Fact]
    public void DeiT_transposes_as_often_as_its_pytorch_code()
    {
        var ops = OnnxExporter.ToModelProto(Create("deit_tiny", 32)).Graph.Node.Select(n => n.OpType).ToList();
        // The tokens once after the patch embedding, then per block the permuted qkv, kᵀ and the heads back: 1 + 3 × 12.
        Assert.Equal(37, ops.Count(op => op == "Transpose"));
        Assert.Equal(25, ops.Count(op => op == "LayerNormalization"));
    }

    [Fact]
    public void AutoFormers_relative_positions_are_gathered_in_the_graph_not_stored_expanded()
    {
        var model = ModelRegistry.Create("autoformer_tiny", ModelOptions.For(new ModelInput(3, 112, 112), 10));
        var bytes = OnnxExporter.ToBytes(model);
        Assert.True(bytes.Length < model.ParameterCount() * 4 * 1.1, $"{bytes.Length} bytes for {model.ParameterCount()} parameters.");
    }

    [Theory]
    [InlineData("deit_tiny", 13)]
    [InlineData("metaformer_pppa_s12", 13)]
    [InlineData("metaformer_pppa_s12", 18)]
    [InlineData("glit_tiny", 18)]
    [InlineData("burgerformer_tiny", 18)]
    public void Every_supported_opset_gives_the_engines_logits(string name, int opset)
    {
        var model = Create(name);
        OnnxParity.Perturb(model, seed: 2);
        var onnx = OnnxParity.AssertMatches(model, new OnnxExportOptions { Opset = opset }, 2);
        var proto = ModelProto.Parser.ParseFrom(onnx);
        Assert.Equal(opset, proto.OpsetImport.Single().Version);
        if (opset < 17) Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "LayerNormalization");
    }

    [Fact]
    public void A_fixed_batch_is_declared_and_runs()
    {
        var model = Create("burgerformer_tiny");
        var onnx = OnnxParity.AssertMatches(model, new OnnxExportOptions { BatchSize = 2 }, 2);
        var proto = ModelProto.Parser.ParseFrom(onnx);
        Assert.Equal(["2", "3", "64", "64"], Dims(proto.Graph.Input.Single()));
        Assert.Equal(["2", "10"], Dims(proto.Graph.Output.Single()));
    }

    [Fact]
    public void Export_traces_in_eval_mode_and_gives_the_model_back_in_its_mode()
    {
        var model = ModelRegistry.Create("burgerformer_tiny", ModelOptions.For(new ModelInput(3, 64, 64), 10) with { DropRate = 0.5f, DropPathRate = 0.5f });
        model.Train();                              // BatchNorm on batch statistics and dropout would make the trace fail
        OnnxParity.Perturb(model, seed: 4);
        var onnx = OnnxExporter.ToBytes(model);
        Assert.True(model.Training);
        using var session = new Bench.OnnxRuntimeModel(onnx, model.Input, threads: 1);
        var images = new float[3 * 64 * 64];
        new Generator(9).FillNormal(images);
        var expected = new Inference.Predictor(model).Predict(Tensor.FromArray(images, 1, 3, 64, 64)).ToArray();
        var actual = session.Run(images, 1);
        float scale = expected.Max(MathF.Abs);
        Assert.All(expected.Zip(actual), pair => Assert.True(MathF.Abs(pair.First - pair.Second) <= OnnxParity.Tolerance * scale));
    }

    [Fact]
    public void Invalid_options_are_user_input_errors()
    {
        var model = Create("deit_tiny", 32);
        Assert.Throws<UserInputException>(() => OnnxExporter.ToBytes(model, new OnnxExportOptions { Opset = 12 }));
        Assert.Throws<UserInputException>(() => OnnxExporter.ToBytes(model, new OnnxExportOptions { Opset = 19 }));
        Assert.Throws<UserInputException>(() => OnnxExporter.ToBytes(model, new OnnxExportOptions { BatchSize = 0 }));
        Assert.Throws<UserInputException>(() => OnnxExporter.ToBytes(model, new OnnxExportOptions { ModelCard = new() { ClassNames = ["a", "b"] } }));
        Assert.Throws<UserInputException>(() => OnnxExporter.ToBytes(model, new OnnxExportOptions { ModelCard = new() { Mean = [0.5f] } }));
        Assert.Throws<UserInputException>(() => OnnxExporter.ToBytes(model, new OnnxExportOptions { ModelCard = new() { Std = [1f, 0f, 1f] } }));
    }

    [Fact]
    public void Save_replaces_a_file_only_with_a_whole_export()
    {
        string dir = Directory.CreateTempSubdirectory("former-onnx").FullName;
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            File.WriteAllText(path, "old");
            var model = Create("deit_tiny", 32);
            Assert.Throws<UserInputException>(() => OnnxExporter.Save(model, path, new OnnxExportOptions { Opset = 99 }));
            Assert.Equal("old", File.ReadAllText(path));
            OnnxExporter.Save(model, path);
            Assert.Equal(OnnxExporter.ToBytes(model), File.ReadAllBytes(path));
            Assert.Single(Directory.GetFiles(dir));
            Assert.Throws<UserInputException>(() => OnnxExporter.Save(model, Path.Combine(dir, "missing", "m.onnx")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string[] Dims(ValueInfoProto value) =>
        [.. value.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
