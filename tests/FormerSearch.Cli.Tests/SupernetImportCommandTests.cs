using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Tests.IO;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// <c>former supernet import</c>: a supernet checkpoint saved elsewhere as AutoFormer's training script saves it ({'model': …} in
/// PyTorch's zip format) becomes a supernet folder the other stages read — its weights kept bit for bit, with a model card its
/// extracted subnets inherit — and weights of
/// another preset are one sentence, exit 2.
/// </summary>
public sealed class SupernetImportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-import-").FullName;
    private readonly string _spec;

    public SupernetImportCommandTests() => _spec = NpyFiles.RandomDataset(_dir, 80, seed: 5);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void An_autoformer_supernet_checkpoint_becomes_a_supernet_folder()
    {
        var space = SearchSpaces.Create("autoformer", "mini");
        var state = space.CreateSupernet(ModelOptions.For(space.DefaultInput, 10) with { Seed = 5 }).StateDict(pytorchLayout: true);
        TorchCheckpointWriter.Save(P("supernet.pth"), state, nestUnder: "model");

        var import = FormerProcess.Run("supernet", "import", "--space", "autoformer", "--weights", P("supernet.pth"), "--dataset", _spec,
            "--val-size", "40", "--output", P("sn"), "--json");
        Assert.True(import.ExitCode == 0, import.StdErr);
        Assert.Contains("taking the state dict under 'model'", import.StdErr);
        using (var doc = JsonDocument.Parse(import.StdOut))
            Assert.Equal(10, doc.RootElement.GetProperty("num_classes").GetInt32());
        var written = SafeTensors.Load(P("sn/supernet.safetensors"));
        Assert.Equal(state.Keys.Order(), written.Keys.Order());
        foreach (var (name, t) in state) Assert.Equal(t.ToArray(), written[name].ToArray());

        Assert.Equal(0, FormerProcess.Run("space", "sample", "autoformer", "--smallest", "--output", P("archs")).ExitCode);
        var eval = FormerProcess.Run("supernet", "eval", "--supernet", P("sn"), "--arch", P("archs/smallest.json"), "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        double inherited;
        using (var doc = JsonDocument.Parse(eval.StdOut))
        {
            Assert.Equal(40, doc.RootElement.GetProperty("images").GetInt32());
            inherited = doc.RootElement.GetProperty("top1").GetDouble();
        }

        // The imported weights carry a card of what is known; a subnet extracted from them inherits it, so eval needs only the file.
        var card = SafeTensors.LoadMetadata(P("sn/supernet.safetensors"));
        Assert.Equal((space.DefaultInput.ToString(), "10", "40", "0"), (card["input"], card["num_classes"], card["val_size"], card["split_seed"]));
        Assert.Equal(_spec, card["dataset"]);
        Assert.Equal(0, FormerProcess.Run("extract", "--supernet", P("sn"), "--arch", P("archs/smallest.json"), "--output", P("small.safetensors")).ExitCode);
        var standalone = FormerProcess.Run("eval", "--weights", P("small.safetensors"), "--split", "val", "--json");
        Assert.True(standalone.ExitCode == 0, standalone.StdErr);
        using (var doc = JsonDocument.Parse(standalone.StdOut))
        {
            Assert.Equal(40, doc.RootElement.GetProperty("images").GetInt32());
            Assert.Equal(inherited, doc.RootElement.GetProperty("top1").GetDouble());
        }

        var again = FormerProcess.Run("supernet", "import", "--space", "autoformer", "--weights", P("supernet.pth"), "--output", P("sn"));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already holds a supernet", again.StdErr);
    }

    [Fact]
    public void Weights_of_another_preset_are_one_sentence_and_exit_2()
    {
        var space = SearchSpaces.Create("autoformer", "mini");
        TorchCheckpointWriter.Save(P("mini.pth"), space.CreateSupernet(ModelOptions.For(space.DefaultInput, 10)).StateDict(pytorchLayout: true));
        var r = FormerProcess.Run("supernet", "import", "--space", "glit", "--weights", P("mini.pth"), "--output", P("wrong"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("mini.pth", r.StdErr);
        Assert.False(Directory.Exists(P("wrong")));
    }
}
