using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Tests.IO;
using FormerSearch.Models;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// PyTorch checkpoints through the command line: <c>former convert</c> on the checkpoints torch.save wrote (bits kept, the nested
/// entry said on stderr, <c>--weights-key</c> obeyed), hostile and broken files refused with one sentence and exit 2 — nothing
/// written and nothing run — and <c>predict</c> reading a nested, DataParallel-prefixed .pth exactly as its safetensors twin.
/// </summary>
public sealed class ConvertCommandTests : IDisposable
{
    private const string SideEffect = "/tmp/formersearch-pickle-side-effect";
    private readonly string _dir = Directory.CreateTempSubdirectory("former-convert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "pth", name);

    private static void AssertSameBits(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(expected.ToArray().Select(BitConverter.SingleToInt32Bits), actual.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(null, "", "taking the state dict under 'state_dict' (also there: 'state_dict_ema'")]
    [InlineData("state_dict_ema", "ema.", "taking the state dict under 'state_dict_ema'")]
    public void Convert_writes_the_checkpoints_tensors_as_safetensors(string? key, string expectedPrefix, string note)
    {
        var args = new List<string> { "convert", Fixture("timm.pth.tar"), P("out.safetensors"), "--json" };
        if (key is not null) args.AddRange(["--weights-key", key]);
        var r = FormerProcess.Run([.. args]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains(note, r.StdErr);
        Assert.Contains("\"tensors\":9", r.StdOut);
        var expected = SafeTensors.Load(Fixture("expected.safetensors"));
        var written = SafeTensors.Load(P("out.safetensors"));
        Assert.Equal(9, written.Count);
        foreach (var (name, t) in written) AssertSameBits(expected[expectedPrefix + name], t);
        Assert.Equal("pt", SafeTensors.LoadMetadata(P("out.safetensors"))["format"]);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
    }

    [Theory]
    [InlineData("evil.pth", "posix.system")]
    [InlineData("evil4.pth", "posix.system")]
    [InlineData("whole_module.pth", "torch.nn.modules.linear.Linear")]
    [InlineData("legacy.pt", "torch.save(torch.load(")]
    public void Hostile_and_unreadable_checkpoints_are_one_sentence_exit_2_and_nothing_happens(string file, string expected)
    {
        File.Delete(SideEffect);
        var r = FormerProcess.Run("convert", Fixture(file), P("out.safetensors"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, r.StdErr);
        Assert.False(File.Exists(SideEffect), "the checkpoint's command ran");
        Assert.False(File.Exists(P("out.safetensors")));
    }

    [Fact]
    public void Truncated_checkpoints_are_one_sentence_and_exit_2()
    {
        var whole = File.ReadAllBytes(Fixture("model.pth"));
        foreach (int length in new[] { 10, whole.Length / 2, whole.Length - 10 })
        {
            File.WriteAllBytes(P("cut.pth"), whole[..length]);
            var r = FormerProcess.Run("convert", P("cut.pth"), P("out.safetensors"));
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("cut.pth", r.StdErr);
        }
    }

    [Fact]
    public void Predict_reads_a_nested_prefixed_pth_as_its_safetensors_twin()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 10) with { Seed = 3 });
        model.SaveSafeTensors(P("w.safetensors"));
        TorchCheckpointWriter.Save(P("w.pth"), model.StateDict(pytorchLayout: true).Select(kv => KeyValuePair.Create("module." + kv.Key, kv.Value)), nestUnder: "model");
        var images = Tensor.Empty(3, 1, 28, 28);
        new Generator(8).FillNormal(images.AsSpan());
        Npy.Save(P("x.npy"), images);

        var fromSafetensors = FormerProcess.Run("predict", "--model", "poolformer_mini", "--weights", P("w.safetensors"), "--input", P("x.npy"), "--output", P("a.npy"), "--threads", "1");
        var fromPth = FormerProcess.Run("predict", "--model", "poolformer_mini", "--weights", P("w.pth"), "--input", P("x.npy"), "--output", P("b.npy"), "--threads", "1");
        Assert.True(fromSafetensors.ExitCode == 0 && fromPth.ExitCode == 0, fromSafetensors.StdErr + fromPth.StdErr);
        Assert.Contains("taking the state dict under 'model'", fromPth.StdErr);
        Assert.Contains("removing the DataParallel prefix 'module.'", fromPth.StdErr);
        Assert.Equal([3, 10], Npy.Load(P("b.npy")).Shape.ToArray()); // 10 classes read from the .pth's head
        Assert.Equal(Npy.Load(P("a.npy")).ToArray(), Npy.Load(P("b.npy")).ToArray());

        var wrongKey = FormerProcess.Run("predict", "--model", "poolformer_mini", "--weights", P("w.pth"), "--weights-key", "state_dict", "--input", P("x.npy"), "--output", P("c.npy"));
        Assert.Equal(2, wrongKey.ExitCode);
        Assert.Contains("has no entry 'state_dict'; its entries are 'epoch', 'model'", wrongKey.StdErr);
    }
}
