using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Tests.IO;
using FormerSearch.Models;
using Microsoft.ML.OnnxRuntime;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// Weights that describe themselves, through the command line: a <c>former train</c> run's model.safetensors is all that
/// <c>eval</c>, <c>predict</c>, <c>export</c> and <c>train --init</c> need; its checkpoint.safetensors evaluates as the model it
/// holds; <c>convert</c> writes the card it is given; an option contradicting a card is one sentence naming both values, exit 2.
/// </summary>
public sealed class ModelCardCommandTests : IDisposable
{
    private const int Count = 12;
    private readonly string _dir = Directory.CreateTempSubdirectory("former-card-cli-").FullName;
    private readonly string _spec;
    private readonly string _weights;

    public ModelCardCommandTests()
    {
        var rng = new Generator(5);
        var images = Tensor.Empty(Count, 1, 8, 8);
        rng.FillNormal(images.AsSpan());
        Npy.Save(P("x.npy"), images);
        NpyFiles.WriteInt64(P("y.npy"), Enumerable.Range(0, Count).Select(i => i % 3).ToArray());
        _spec = $"npy:{P("x.npy")},{P("y.npy")}";
        Ok(FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", _spec, "--val-size", "4", "--seed", "5", "--epochs", "1",
            "--batch-size", "4", "--output", P("run"), "--threads", "1", "--no-progress"));
        _weights = P("run/model.safetensors");
        var batch = Tensor.Empty(2, 1, 8, 8);
        rng.FillNormal(batch.AsSpan());
        Npy.Save(P("batch.npy"), batch);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static FormerProcess.Result Ok(FormerProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, r.StdErr);
        return r;
    }

    private static JsonElement Json(FormerProcess.Result r) => JsonDocument.Parse(Ok(r).StdOut).RootElement.Clone();

    private static void AssertContradiction(FormerProcess.Result r, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        // One sentence (after any notice of which entry of a PyTorch checkpoint was read).
        var error = Assert.Single(r.StdErr.Trim().Split('\n'), line => line.StartsWith("former: ", StringComparison.Ordinal));
        Assert.Contains(expected, error);
        Assert.Equal(error, r.StdErr.Trim().Split('\n')[^1]);
    }

    [Fact]
    public void Eval_of_the_weights_alone_scores_the_held_out_images_training_used()
    {
        var alone = Json(FormerProcess.Run("eval", "--weights", _weights, "--split", "val", "--json", "--threads", "1"));
        var spelled = Json(FormerProcess.Run("eval", "--model", "poolformer_mini", "--weights", _weights, "--dataset", _spec, "--split", "val",
            "--val-size", "4", "--seed", "5", "--input", "1x8x8", "--num-classes", "3", "--json", "--threads", "1"));
        Assert.Equal(4, alone.GetProperty("images").GetInt32());
        Assert.Equal("poolformer_mini", alone.GetProperty("model").GetString());
        Assert.Equal(spelled.GetProperty("loss").GetDouble(), alone.GetProperty("loss").GetDouble());
        // The same weights without a card score those images only when told the split; another seed holds out other images.
        SafeTensors.Save(P("bare.safetensors"), SafeTensors.Load(_weights), new Dictionary<string, string> { ["format"] = "pt" });
        string[] bare = ["eval", "--model", "poolformer_mini", "--weights", P("bare.safetensors"), "--dataset", _spec, "--split", "val", "--val-size", "4", "--json", "--threads", "1"];
        Assert.Equal(alone.GetProperty("loss").GetDouble(), Json(FormerProcess.Run([.. bare, "--seed", "5"])).GetProperty("loss").GetDouble());
        Assert.NotEqual(alone.GetProperty("loss").GetDouble(), Json(FormerProcess.Run([.. bare, "--seed", "6"])).GetProperty("loss").GetDouble());
    }

    [Fact]
    public void A_training_checkpoint_evaluates_and_predicts_as_the_model_it_holds()
    {
        string checkpoint = P("run/checkpoint.safetensors");
        var fromModel = Json(FormerProcess.Run("eval", "--weights", _weights, "--json", "--threads", "1"));
        var r = FormerProcess.Run("eval", "--weights", checkpoint, "--json", "--threads", "1");
        var fromCheckpoint = Json(r);
        Assert.Contains($"'{checkpoint}' is a training checkpoint: using the model it holds, with the model card of '{_weights}'", r.StdErr);
        Assert.Equal(fromModel.GetProperty("loss").GetDouble(), fromCheckpoint.GetProperty("loss").GetDouble());
        Assert.Equal(Count, fromCheckpoint.GetProperty("images").GetInt32()); // an npy set without test files is its own test set

        Ok(FormerProcess.Run("predict", "--weights", _weights, "--input", P("batch.npy"), "--output", P("a.npy"), "--threads", "1"));
        Ok(FormerProcess.Run("predict", "--weights", checkpoint, "--input", P("batch.npy"), "--output", P("b.npy"), "--threads", "1"));
        Assert.Equal([2, 3], Npy.Load(P("a.npy")).Shape.ToArray());
        Assert.Equal(Npy.Load(P("a.npy")).ToArray(), Npy.Load(P("b.npy")).ToArray());

        // Without the run's model file beside it, the checkpoint still holds the model; the command line names it.
        File.Copy(checkpoint, P("lone.safetensors"));
        var lone = FormerProcess.Run("eval", "--weights", P("lone.safetensors"), "--dataset", _spec);
        Assert.Equal(2, lone.ExitCode);
        Assert.Contains("give it with --model NAME or --arch FILE", lone.StdErr);
        Assert.DoesNotContain("missing", lone.StdErr);
        Ok(FormerProcess.Run("predict", "--model", "poolformer_mini", "--num-classes", "3", "--weights", P("lone.safetensors"), "--input", P("batch.npy"), "--output", P("c.npy"), "--threads", "1"));
        Assert.Equal(Npy.Load(P("a.npy")).ToArray(), Npy.Load(P("c.npy")).ToArray());
        var ema = FormerProcess.Run("eval", "--weights", checkpoint, "--weights-key", "ema");
        Assert.Equal(2, ema.ExitCode);
        Assert.Contains("keeps no weight average", ema.StdErr);
    }

    [Theory]
    [InlineData("--model", "poolformer_s12", "--model poolformer_s12 contradicts the model card of '{w}', which says poolformer_mini;")]
    [InlineData("--input", "1x16x16", "--input 1x16x16 contradicts the model card of '{w}', which says 1x8x8;")]
    [InlineData("--num-classes", "5", "--num-classes 5 contradicts the model card of '{w}', which says 3;")]
    [InlineData("--val-size", "3", "--val-size 3 contradicts the model card of '{w}', which says 4;")]
    [InlineData("--seed", "6", "--seed 6 contradicts the model card of '{w}', which says 5;")]
    [InlineData("--dataset", "mnist", "--dataset mnist contradicts the model card of '{w}', which says npy:")]
    public void An_option_contradicting_the_card_is_one_sentence_naming_both_values(string option, string value, string expected)
    {
        AssertContradiction(FormerProcess.Run("eval", "--weights", _weights, "--split", "val", option, value), expected.Replace("{w}", _weights, StringComparison.Ordinal));
        if (option is "--model" or "--num-classes")
            AssertContradiction(FormerProcess.Run("predict", "--weights", _weights, "--input", P("batch.npy"), "--output", P("z.npy"), option, value),
                expected.Replace("{w}", _weights, StringComparison.Ordinal));
        if (option is "--model" or "--input" or "--num-classes")
        {
            AssertContradiction(FormerProcess.Run("export", "--weights", _weights, "--output", P("z.onnx"), option, value), expected.Replace("{w}", _weights, StringComparison.Ordinal));
            AssertContradiction(FormerProcess.Run("train", "--init", _weights, "--dataset", _spec, "--output", P("z"), option, value), expected.Replace("{w}", _weights, StringComparison.Ordinal));
        }
        Assert.False(File.Exists(P("z.npy")) || File.Exists(P("z.onnx")) || Directory.Exists(P("z")));
    }

    [Fact]
    public void Predict_on_a_batch_of_another_size_than_the_card_says_is_refused()
    {
        Npy.Save(P("big.npy"), Tensor.Empty(1, 1, 16, 16));
        var r = FormerProcess.Run("predict", "--weights", _weights, "--input", P("big.npy"), "--output", P("z.npy"));
        AssertContradiction(r, "holds 1x16x16 images but the model card of");
        Assert.Contains("says the model takes 1x8x8", r.StdErr);
    }

    [Fact]
    public void Export_writes_the_cards_input_classes_and_normalisation()
    {
        Ok(FormerProcess.Run("export", "--weights", _weights, "--output", P("m.onnx"), "--threads", "1"));
        using var session = new InferenceSession(P("m.onnx"));
        var onnx = session.ModelMetadata.CustomMetadataMap;
        var card = SafeTensors.LoadMetadata(_weights);
        Assert.Equal("poolformer_mini", onnx["model"]);
        Assert.Equal("[1,8,8]", onnx["input_size"]);
        Assert.Equal("3", onnx["num_classes"]);
        Assert.Equal(card["mean"], onnx["mean"]);
        Assert.Equal(card["std"], onnx["std"]);
        Assert.Equal([1, 1, 8, 8], session.InputMetadata["input"].Dimensions.Skip(0).Select(d => d < 0 ? 1 : d).ToArray());

        // Given names and normalisation replace the card's.
        File.WriteAllLines(P("names.txt"), ["a", "b", "c"]);
        Ok(FormerProcess.Run("export", "--weights", _weights, "--output", P("n.onnx"), "--class-names", P("names.txt"), "--mean", "0.5", "--std", "0.25", "--threads", "1"));
        using var named = new InferenceSession(P("n.onnx"));
        Assert.Equal("[\"a\",\"b\",\"c\"]", named.ModelMetadata.CustomMetadataMap["class_names"]);
        Assert.Equal("[0.5]", named.ModelMetadata.CustomMetadataMap["mean"]);
        Assert.Equal("[0.25]", named.ModelMetadata.CustomMetadataMap["std"]);
    }

    [Fact]
    public void Train_init_takes_the_model_input_and_classes_from_the_card()
    {
        var r = Ok(FormerProcess.Run("train", "--init", _weights, "--dataset", _spec, "--epochs", "1", "--batch-size", "4", "--output", P("again"), "--threads", "1", "--no-progress"));
        Assert.Contains("training poolformer_mini at 1x8x8, 3 classes", r.StdErr);
        var card = SafeTensors.LoadMetadata(P("again/model.safetensors"));
        Assert.Equal("poolformer_mini", card["model"]);
        Assert.Equal("3", card["num_classes"]);
    }

    [Fact]
    public void Convert_writes_the_model_card_it_is_given_and_keeps_the_inputs()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 8, 8), 3) with { Seed = 2 });
        TorchCheckpointWriter.Save(P("w.pth"), model.StateDict(pytorchLayout: true), nestUnder: "model");
        File.WriteAllLines(P("names.txt"), ["cat", "dog", "emu"]);
        Ok(FormerProcess.Run("convert", P("w.pth"), P("w.safetensors"), "--model", "poolformer_mini", "--input", "1x8x8", "--class-names", P("names.txt"),
            "--mean", "0.5", "--std", "0.25"));
        var card = SafeTensors.LoadMetadata(P("w.safetensors"));
        Assert.Equal("pt", card["format"]);
        Assert.Equal("poolformer_mini", card["model"]);
        Assert.Equal("1x8x8", card["input"]);
        Assert.Equal("3", card["num_classes"]); // the rows of head.weight
        Assert.Equal("[\"cat\",\"dog\",\"emu\"]", card["class_names"]);
        Assert.Equal("[0.5]", card["mean"]);
        Ok(FormerProcess.Run("predict", "--weights", P("w.safetensors"), "--input", P("batch.npy"), "--output", P("p.npy"), "--threads", "1"));
        Assert.Equal([2, 3], Npy.Load(P("p.npy")).Shape.ToArray());

        // A safetensors input keeps its card; a class count contradicting the head (or the card) is refused, nothing written.
        Ok(FormerProcess.Run("convert", _weights, P("copy.safetensors")));
        Assert.Equal(SafeTensors.LoadMetadata(_weights), SafeTensors.LoadMetadata(P("copy.safetensors")));
        var wrong = FormerProcess.Run("convert", P("w.pth"), P("x.safetensors"), "--num-classes", "4");
        AssertContradiction(wrong, "4 classes were given (or carded) but the head.weight of");
        AssertContradiction(FormerProcess.Run("convert", _weights, P("x.safetensors"), "--model", "poolformer_s12"), "--model poolformer_s12 contradicts the model card");
        Assert.False(File.Exists(P("x.safetensors")));
    }
}
