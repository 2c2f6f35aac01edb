using System.Text.Json;
using FormerSearch.Bench;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Models;
using Microsoft.ML.OnnxRuntime;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// <c>former export</c> run as a user would: a small seeded DeiT-Tiny (3×32×32, 10 classes) saved as safetensors, exported,
/// and the file run by ONNX Runtime against what <c>former predict</c> writes for the same images.
/// </summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-export").FullName;
    private readonly string _weights;

    public ExportCommandTests()
    {
        var model = ModelRegistry.Create("deit_tiny", ModelOptions.For(new ModelInput(3, 32, 32), 10) with { Seed = 11 });
        _weights = Path.Combine(_dir, "w.safetensors");
        model.SaveSafeTensors(_weights);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private FormerProcess.Result Export(params string[] extra) =>
        FormerProcess.Run(["export", "--model", "deit_tiny", "--weights", _weights, "--input", "3x32x32", "--threads", "1", .. extra]);

    [Fact]
    public void The_exported_file_gives_the_logits_former_predict_writes()
    {
        var r = Export("--output", PathOf("m.onnx"), "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(["output", "model", "opset", "batch", "bytes", "seconds"], doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(PathOf("m.onnx"), doc.RootElement.GetProperty("output").GetString());
        Assert.Equal(17, doc.RootElement.GetProperty("opset").GetInt32());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("batch").ValueKind);
        Assert.Equal(new FileInfo(PathOf("m.onnx")).Length, doc.RootElement.GetProperty("bytes").GetInt64());

        var images = new float[5 * 3 * 32 * 32];
        new Generator(2).FillNormal(images);
        Npy.Save(PathOf("x.npy"), Tensor.FromArray(images, 5, 3, 32, 32));
        var predicted = FormerProcess.Run("predict", "--model", "deit_tiny", "--weights", _weights, "--input", PathOf("x.npy"), "--output", PathOf("y.npy"), "--threads", "1");
        Assert.True(predicted.ExitCode == 0, predicted.StdErr);
        var expected = Npy.Load(PathOf("y.npy")).ToArray();
        using var session = new OnnxRuntimeModel(File.ReadAllBytes(PathOf("m.onnx")), new ModelInput(3, 32, 32), threads: 1);
        var actual = session.Run(images, 5);
        float scale = expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * scale, $"logit {i}: {expected[i]} vs {actual[i]}");
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
    }

    [Fact]
    public void A_fixed_batch_opset_and_model_card_are_written_as_asked()
    {
        File.WriteAllLines(PathOf("classes.txt"), Enumerable.Range(0, 10).Select(i => $"class {i}").Append(""));
        var r = Export("--output", PathOf("b.onnx"), "--batch", "4", "--opset", "13", "--class-names", PathOf("classes.txt"),
            "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("opset 13, batch 4", r.StdOut);
        using var session = new InferenceSession(PathOf("b.onnx"));
        Assert.Equal([4, 3, 32, 32], session.InputMetadata["input"].Dimensions);
        Assert.Equal([4, 10], session.OutputMetadata["logits"].Dimensions);
        var card = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("deit_tiny", card["model"]);
        Assert.Equal(JsonSerializer.Serialize(Enumerable.Range(0, 10).Select(i => $"class {i}")), card["class_names"]);
        Assert.Equal("[0.485,0.456,0.406]", card["mean"]);
        Assert.Equal("[0.229,0.224,0.225]", card["std"]);
    }

    [Theory]
    [InlineData("--opset", "12")]
    [InlineData("--opset", "19")]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "many")]
    [InlineData("--mean", "0.5,x,0.5")]
    [InlineData("--std", "1,1")]
    [InlineData("--class-names", "/nonexistent/classes.txt")]
    [InlineData("--num-classes", "7")]
    [InlineData("--input", "3x30x30")]
    public void Bad_input_is_one_sentence_exit_code_2_and_leaves_the_output_alone(params string[] args)
    {
        File.WriteAllText(PathOf("keep.onnx"), "old");
        var r = Export([.. args, "--output", PathOf("keep.onnx")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", r.StdOut);
        Assert.Equal("old", File.ReadAllText(PathOf("keep.onnx")));
        Assert.Single(Directory.GetFiles(_dir, "*.onnx*"));
    }

    [Fact]
    public void Missing_files_are_named()
    {
        var noWeights = FormerProcess.Run("export", "--model", "deit_tiny", "--weights", PathOf("none.safetensors"), "--output", PathOf("m.onnx"));
        Assert.Equal(2, noWeights.ExitCode);
        Assert.Contains("none.safetensors", noWeights.StdErr);
        var noDir = Export("--output", PathOf("missing/m.onnx"));
        Assert.Equal(2, noDir.ExitCode);
        Assert.Contains("directory does not exist", noDir.StdErr);
    }
}
