using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// <c>former predict</c> run as a user would: a small seeded poolformer_s12 (3×32×32, 10 classes) saved as safetensors,
/// an NCHW .npy batch, and the logits compared with an in-process forward.
/// </summary>
public sealed class PredictCommandTests : IDisposable
{
    private static readonly ModelInput Size = new(3, 32, 32);
    private readonly string _dir = Directory.CreateTempSubdirectory("former-predict").FullName;
    private readonly VisionModel _model;
    private readonly string _weights;
    private readonly Tensor _images; // [B, C, H, W]
    private readonly string _input;

    public PredictCommandTests()
    {
        _model = ModelRegistry.Create("poolformer_s12", ModelOptions.For(Size, 10) with { Seed = 17 });
        _weights = Path.Combine(_dir, "w.safetensors");
        _model.SaveSafeTensors(_weights);
        _images = Tensor.Empty(5, 3, 32, 32);
        new Generator(4).FillNormal(_images.AsSpan());
        _input = Path.Combine(_dir, "x.npy");
        Npy.Save(_input, _images);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private float[] InProcessLogits()
    {
        _model.Eval();
        using (Tape.NoGrad())
        using (TensorScope.Enter())
            return _model.Forward(_images.Permute(0, 2, 3, 1).Contiguous()).ToArray();
    }

    private string Output(string name = "y.npy") => Path.Combine(_dir, name);

    [Theory]
    [InlineData("64")]
    [InlineData("2")]
    public void Logits_match_the_in_process_forward(string batchSize)
    {
        var r = FormerProcess.Run("predict", "--model", "poolformer_s12", "--weights", _weights, "--input", _input,
            "--output", Output(), "--batch-size", batchSize, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var logits = Npy.Load(Output());
        Assert.Equal([5, 10], logits.Shape.ToArray()); // 10 classes read from head.weight
        var expected = InProcessLogits();
        var actual = logits.ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"logit {i}: {expected[i]} vs {actual[i]}");
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
    }

    [Fact]
    public void Json_names_the_output_and_its_size()
    {
        var r = FormerProcess.Run("predict", "--model", "poolformer_s12", "--weights", _weights, "--input", _input, "--output", Output("j.npy"),
            "--threads", "1", "--seed", "1", "--no-progress", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        Assert.Equal(Output("j.npy"), doc.RootElement.GetProperty("output").GetString());
        Assert.Equal((5, 10), (doc.RootElement.GetProperty("images").GetInt32(), doc.RootElement.GetProperty("classes").GetInt32()));
        Assert.Equal([5, 10], Npy.Load(Output("j.npy")).Shape.ToArray());
    }

    [Fact]
    public void One_and_two_threads_give_bitwise_equal_logits()
    {
        var one = FormerProcess.Run("predict", "--model", "poolformer_s12", "--weights", _weights, "--input", _input, "--output", Output("1.npy"), "--threads", "1");
        var two = FormerProcess.Run("predict", "--model", "poolformer_s12", "--weights", _weights, "--input", _input, "--output", Output("2.npy"), "--threads", "2");
        Assert.True(one.ExitCode == 0 && two.ExitCode == 0, one.StdErr + two.StdErr);
        Assert.Equal(Npy.Load(Output("1.npy")).ToArray(), Npy.Load(Output("2.npy")).ToArray());
    }

    public static TheoryData<string, string[]> BadInputs()
    {
        // Placeholders: {w} weights, {x} input, {d} the test's directory.
        return new TheoryData<string, string[]>
        {
            { "unknown model", ["--model", "poolformer_xxl", "--weights", "{w}", "--input", "{x}"] },
            { "missing weights", ["--model", "poolformer_s12", "--weights", "{d}/none.safetensors", "--input", "{x}"] },
            { "corrupt weights", ["--model", "poolformer_s12", "--weights", "{d}/corrupt.safetensors", "--input", "{x}"] },
            { "missing input", ["--model", "poolformer_s12", "--weights", "{w}", "--input", "{d}/none.npy"] },
            { "corrupt input", ["--model", "poolformer_s12", "--weights", "{w}", "--input", "{d}/corrupt.npy"] },
            { "3-D input", ["--model", "poolformer_s12", "--weights", "{w}", "--input", "{d}/3d.npy"] },
            { "uint8 input", ["--model", "poolformer_s12", "--weights", "{w}", "--input", "{d}/u8.npy"] },
            { "1 channel", ["--model", "poolformer_s12", "--weights", "{w}", "--input", "{d}/gray.npy"] },
            { "wrong classes", ["--model", "poolformer_s12", "--weights", "{w}", "--input", "{x}", "--num-classes", "1000"] },
            { "wrong model", ["--model", "deit_tiny", "--weights", "{w}", "--input", "{x}"] },
            { "size the model cannot take", ["--model", "deit_tiny", "--weights", "{w}", "--input", "{d}/odd.npy"] },
            { "zero batch size", ["--model", "poolformer_s12", "--weights", "{w}", "--input", "{x}", "--batch-size", "0"] },
        };
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_is_one_sentence_exit_code_2_and_no_output(string what, string[] args)
    {
        File.WriteAllBytes(Path.Combine(_dir, "corrupt.safetensors"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        File.WriteAllBytes(Path.Combine(_dir, "corrupt.npy"), [0x93, (byte)'N', (byte)'U', 1, 2]);
        Npy.Save(Path.Combine(_dir, "3d.npy"), Tensor.Zeros(3, 32, 32));
        Npy.SaveBytes(Path.Combine(_dir, "u8.npy"), new byte[3 * 32 * 32], 1, 3, 32, 32);
        Npy.Save(Path.Combine(_dir, "gray.npy"), Tensor.Zeros(1, 1, 32, 32));
        Npy.Save(Path.Combine(_dir, "odd.npy"), Tensor.Zeros(1, 3, 30, 30)); // not a multiple of DeiT's 16-pixel patches
        var full = new List<string> { "predict" };
        foreach (var a in args) full.Add(a.Replace("{w}", _weights).Replace("{x}", _input).Replace("{d}", _dir));
        full.AddRange(["--output", Output()]);

        var r = FormerProcess.Run([.. full]);
        Assert.True(r.ExitCode == 2, $"{what}: exit {r.ExitCode}, stderr {r.StdErr}");
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{what}: {r.StdErr}");
        Assert.StartsWith("former: ", lines[0]);
        Assert.Equal("", r.StdOut);
        Assert.False(File.Exists(Output()), $"{what}: an output file was written.");
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
    }

    [Fact]
    public void A_failed_run_leaves_an_existing_output_untouched()
    {
        var old = Tensor.Ones(2, 2);
        Npy.Save(Output(), old);
        var r = FormerProcess.Run("predict", "--model", "poolformer_s12", "--weights", _weights, "--input", _input,
            "--output", Output(), "--num-classes", "3");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("head.weight", r.StdErr);
        Assert.Equal(old.ToArray(), Npy.Load(Output()).ToArray());
    }

    [Fact]
    public void An_output_in_a_missing_directory_is_refused_before_any_work()
    {
        string output = Path.Combine(_dir, "no-such-dir", "y.npy");
        var r = FormerProcess.Run("predict", "--model", "poolformer_s12", "--weights", _weights, "--input", _input, "--output", output);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no-such-dir", r.StdErr);
    }

    [Fact]
    public void Messages_name_the_input()
    {
        Npy.Save(Path.Combine(_dir, "gray.npy"), Tensor.Zeros(1, 1, 32, 32));
        var r = FormerProcess.Run("predict", "--model", "poolformer_s12", "--weights", _weights, "--input", Path.Combine(_dir, "gray.npy"), "--output", Output());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("gray.npy", r.StdErr);
        Assert.Contains("channel", r.StdErr);
    }
}
