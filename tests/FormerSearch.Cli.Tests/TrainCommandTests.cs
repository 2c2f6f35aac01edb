using System.Diagnostics;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;

namespace FormerSearch.Cli.Tests;

/// <summary><c>former train</c> / <c>former eval</c> on a tiny .npy data set the test writes.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private const int Count = 12;
    private readonly string _dir = Directory.CreateTempSubdirectory("former-train-cli-").FullName;
    private readonly string _spec;
    private readonly Tensor _images; // [N, 1, 8, 8] NCHW as in the file
    private readonly int[] _labels;

    public TrainCommandTests()
    {
        var rng = new Generator(11);
        _images = Tensor.Empty(Count, 1, 8, 8);
        rng.FillNormal(_images.AsSpan());
        _labels = Enumerable.Range(0, Count).Select(i => i % 3).ToArray();
        Npy.Save(Path.Combine(_dir, "x.npy"), _images);
        NpyFiles.WriteInt64(Path.Combine(_dir, "y.npy"), _labels);
        _spec = $"npy:{Path.Combine(_dir, "x.npy")},{Path.Combine(_dir, "y.npy")}";
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Dir(string name) => Path.Combine(_dir, name);

    [Fact]
    public void One_plain_sgd_step_from_init_weights_is_w_minus_lr_times_the_gradient()
    {
        var options = ModelOptions.For(new ModelInput(1, 8, 8), 3);
        var model = ModelRegistry.Create("poolformer_mini", options with { Seed = 5 });
        string init = Dir("init.safetensors");
        model.SaveSafeTensors(init);

        var r = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", _spec, "--max-steps", "1", "--optimizer", "sgd", "--lr", "0.05",
            "--momentum", "0", "--weight-decay", "0", "--no-augment", "--no-shuffle", "--init", init, "--batch-size", $"{Count}",
            "--output", Dir("sgd"), "--threads", "1", "--no-progress");
        Assert.True(r.ExitCode == 0, r.StdErr);

        // By hand: the same weights and images (normalised as the loader does: float32 .npy is taken as it is), one backward.
        var images = _images.Reshape(Count, 8, 8, 1); // one channel: NCHW and NHWC hold the same numbers
        using (TensorScope.Enter())
            Functional.CrossEntropy(model.Forward(images), _labels).Backward();
        var twin = ModelRegistry.Create("poolformer_mini", options);
        twin.LoadSafeTensors(Path.Combine(Dir("sgd"), "model.safetensors"));
        var twinParams = twin.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        foreach (var (name, p) in model.NamedParameters())
        {
            float[] w0 = p.Value.ToArray(), grad = p.Value.Grad!.ToArray(), actual = twinParams[name];
            for (int i = 0; i < w0.Length; i++)
                Assert.True(MathF.Abs(actual[i] - (w0[i] - 0.05f * grad[i])) <= 1e-6f * (1 + MathF.Abs(w0[i])), $"{name}[{i}]: {actual[i]} vs {w0[i] - 0.05f * grad[i]}");
        }
    }

    [Fact]
    public void A_run_killed_mid_training_resumes_to_the_same_weights_as_an_uninterrupted_one()
    {
        string[] args = ["train", "--model", "poolformer_mini", "--dataset", _spec, "--input", "1x8x8", "--epochs", "40", "--batch-size", "4",
            "--checkpoint-every", "1", "--drop-path", "0.1", "--threads", "1", "--no-progress"];
        var whole = FormerProcess.Run([.. args, "--output", Dir("whole")]);
        Assert.True(whole.ExitCode == 0, whole.StdErr);

        using (var victim = FormerProcess.Start(null, [.. args, "--output", Dir("killed")]))
        {
            string checkpoint = Path.Combine(Dir("killed"), "checkpoint.safetensors");
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
            Thread.Sleep(300);
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(Dir("killed"), "model.safetensors")), "the run finished before it could be killed; make it longer");
        var resumed = FormerProcess.Run([.. args, "--output", Dir("killed"), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir("whole"), "model.safetensors")), File.ReadAllBytes(Path.Combine(Dir("killed"), "model.safetensors")));
        Assert.Equal(40, File.ReadAllLines(Path.Combine(Dir("killed"), "metrics.jsonl")).Length);
    }

    [Fact]
    public void Eval_reports_accuracy_of_the_trained_weights_as_json()
    {
        var t = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", _spec, "--epochs", "2", "--batch-size", "4", "--output", Dir("e"), "--threads", "1");
        Assert.True(t.ExitCode == 0, t.StdErr);
        var r = FormerProcess.Run("eval", "--model", "poolformer_mini", "--weights", Path.Combine(Dir("e"), "model.safetensors"), "--dataset", _spec, "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(Count, doc.RootElement.GetProperty("images").GetInt32());
        Assert.InRange(doc.RootElement.GetProperty("top1").GetDouble(), 0, 1);
        Assert.Equal(1.0, doc.RootElement.GetProperty("top5").GetDouble()); // 3 classes
    }

    [Theory]
    [InlineData("--dataset", "imagenet-22k")]
    [InlineData("--optimizer", "lamb")]
    [InlineData("--lr", "0")]
    [InlineData("--val-size", "12")]
    [InlineData("--epochs", "0")]
    [InlineData("--label-smoothing", "1.5")]
    [InlineData("--init", "/nonexistent/w.safetensors")]
    [InlineData("--input", "3x30x30", "--model", "deit_tiny")]
    public void Bad_options_are_one_sentence_and_exit_code_2(params string[] overrides)
    {
        var args = new Dictionary<string, string> { ["--model"] = "poolformer_mini", ["--dataset"] = _spec, ["--output"] = Dir("bad") };
        for (int i = 0; i < overrides.Length; i += 2) args[overrides[i]] = overrides[i + 1];
        var r = FormerProcess.Run(["train", .. args.SelectMany(kv => new[] { kv.Key, kv.Value }), "--no-progress"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(Dir("bad"), "model.safetensors")));
    }

    [Fact]
    public void Json_names_the_outputs_and_the_last_epoch()
    {
        var r = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", _spec, "--epochs", "2", "--batch-size", "4", "--output", Dir("j"),
            "--threads", "1", "--seed", "2", "--no-progress", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal(Dir("j"), root.GetProperty("output").GetString());
        Assert.Equal(Path.Combine(Dir("j"), "model.safetensors"), root.GetProperty("weights").GetString());
        Assert.Equal(Path.Combine(Dir("j"), "metrics.jsonl"), root.GetProperty("metrics").GetString());
        Assert.Equal(2, root.GetProperty("last_epoch").GetProperty("epoch").GetInt32());
        Assert.Equal(2 * (Count / 4), root.GetProperty("last_epoch").GetProperty("step").GetInt32());
    }

    [Fact]
    public void Verbose_adds_the_trace_to_the_one_sentence()
    {
        string[] args = ["train", "--model", "poolformer_mini", "--dataset", "imagenet-22k", "--output", Dir("v")];
        var plain = FormerProcess.Run(args);
        Assert.Equal(2, plain.ExitCode);
        Assert.Equal(["former: Unknown dataset 'imagenet-22k': expected fashion-mnist, mnist, cifar10, cifar100, npy:IMAGES.npy,LABELS.npy or folder:DIR."],
            plain.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var verbose = FormerProcess.Run([.. args, "--verbose"]);
        Assert.Equal(2, verbose.ExitCode);
        var lines = verbose.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(plain.StdErr.Split('\n')[0], lines[0]);
        Assert.StartsWith("FormerSearch.Engine.UserInputException: Unknown dataset", lines[1]);
        Assert.Contains(lines, l => l.Contains("at FormerSearch.Data.DatasetSpec.Parse", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_fashion_mnist_directory_says_what_to_do()
    {
        var r = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", "fashion-mnist", "--data-dir", Dir("nothing-here"), "--output", Dir("m"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("nothing-here", r.StdErr);
    }
}
