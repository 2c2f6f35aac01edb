using System.Diagnostics;
using System.Text.Json;
using FormerSearch.Models;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// Absurd sizes and option values are refused at once (exit 2, one line, no stack trace, long before anything is
/// allocated), and evaluation reports NaN logits instead of scoring them.
/// </summary>
public sealed class HostileBoundsCommandTests : IDisposable
{
    private const int Count = 12;
    private readonly string _dir = Directory.CreateTempSubdirectory("former-bounds-cli-").FullName;
    private readonly string _spec;

    public HostileBoundsCommandTests() => _spec = NpyFiles.RandomDataset(_dir, Count, seed: 3);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Refused(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var r = FormerProcess.Run(args);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"former {string.Join(' ', args)} took {clock.Elapsed}.");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("former: ", line);
        Assert.True(line.Length <= 320, line);
        Assert.DoesNotContain(" at FormerSearch", r.StdErr);
        Assert.DoesNotContain("(Parameter '", line);
        return line;
    }

    [Fact]
    public void An_input_of_a_hundred_thousand_pixels_a_side_is_refused_by_every_command_taking_one()
    {
        Assert.Contains("16,384", Refused("profile", "--model", "poolformer_s12", "--input", "3x100000x100000"));
        string output = Path.Combine(_dir, "t");
        Assert.Contains("--input", Refused("train", "--model", "poolformer_mini", "--dataset", _spec, "--input", "3x100000x100000", "--output", output));
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("width", "2000000000", "65,536")]
    [InlineData("depth", "100000000", "1,024")]
    public void An_absurd_burgerformer_width_or_depth_is_refused_not_profiled_as_a_negative_count(string key, string value, string limit)
    {
        var tiny = (BurgerFormer)ModelRegistry.Create("burgerformer_tiny", ModelOptions.For(new ModelInput(3, 32, 32), 10));
        string json = BurgerFormerArchFormat.ToJson(tiny.Config);
        string from = key == "width" ? "\"width\": 32" : "\"depth\": 2";
        Assert.Contains(from, json);
        string path = Path.Combine(_dir, $"{key}.json");
        File.WriteAllText(path, json.Replace(from, $"\"{key}\": {value}"));
        Assert.Contains(limit, Refused("profile", "--arch", path));
    }

    [Fact]
    public void Eight_million_classes_are_refused_by_profile_train_and_eval()
    {
        Assert.Contains("1,000,000", Refused("profile", "--model", "deit_tiny", "--num-classes", "8000000"));
        Assert.Contains("--num-classes", Refused("train", "--model", "poolformer_mini", "--dataset", _spec, "--num-classes", "8000000", "--output", Path.Combine(_dir, "t")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "t")));
    }

    [Fact]
    public void A_gemm_larger_than_memory_and_absurd_thread_counts_are_refused()
    {
        string line = Refused("bench", "gemm", "--size", "100000");
        Assert.Contains("120 GB", line);
        Assert.Contains("this machine has", line);
        Assert.Contains("1,024", Refused("bench", "gemm", "--size", "8", "--threads", "2147483647"));
        Assert.Contains("100,000", Refused("bench", "data", "--images", "2147483647"));
        Assert.Contains("--threads", Refused("eval", "--model", "poolformer_mini", "--weights", "w", "--dataset", _spec, "--threads", "2147483647"));
    }

    [Fact]
    public void A_claim_benchmark_with_absurd_workers_candidates_or_a_password_in_its_url_is_refused()
    {
        Assert.Contains("--workers", Refused("bench", "study", "--workers", "0"));
        Assert.Contains("--candidates", Refused("bench", "study", "--candidates", "2147483647"));
        Assert.Contains("password", Refused("bench", "study", "--study", "postgresql://u:pw@127.0.0.1:1/db?study=x"));
    }

    [Theory]
    [InlineData("--lr", "1e308", "learning rate")]
    [InlineData("--lr", "NaN", "learning rate")]
    [InlineData("--weight-decay", "1e308", "weight decay")]
    [InlineData("--warmup-epochs", "Infinity", "warm-up")]
    [InlineData("--epochs", "2147483647", "epochs")]
    [InlineData("--clip-grad", "Infinity", "clipping")]
    [InlineData("--batch-size", "2147483647", "--batch-size")]
    public void Training_options_out_of_range_are_refused_before_training(string option, string value, string named)
    {
        string output = Path.Combine(_dir, "run");
        Assert.Contains(named, Refused("train", "--model", "poolformer_mini", "--dataset", _spec, option, value, "--output", output));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_model_larger_than_memory_is_refused_saying_what_batch_fits()
    {
        string line = Refused("train", "--model", "deit_tiny", "--dataset", _spec, "--input", "1x1024x1024", "--batch-size", "100000", "--output", Path.Combine(_dir, "big"));
        Assert.Contains("needs at least", line);
        Assert.Contains("a batch of at most", line);
    }

    [Fact]
    public void Eval_counts_nan_logits_wrong_warns_and_writes_a_null_loss()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 10) with { Seed = 1 });
        model.StateDict()["head.bias"].AsSpan()[1] = float.NaN;
        string weights = Path.Combine(_dir, "nan.safetensors");
        model.SaveSafeTensors(weights);
        var r = FormerProcess.Run("eval", "--model", "poolformer_mini", "--weights", weights, "--dataset", _spec, "--input", "1x28x28", "--num-classes", "10", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(Count, doc.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("top1").GetDouble());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("loss").ValueKind);
        Assert.Equal(Count, doc.RootElement.GetProperty("nonfinite_images").GetInt32());
        Assert.Contains($"NaN or infinite logits for {Count} of {Count} images", r.StdErr);
    }

    [Fact]
    public void Eval_with_the_largest_batch_size_evaluates_every_image()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 10) with { Seed = 1 });
        string weights = Path.Combine(_dir, "w.safetensors");
        model.SaveSafeTensors(weights);
        var r = FormerProcess.Run("eval", "--model", "poolformer_mini", "--weights", weights, "--dataset", _spec, "--input", "1x28x28", "--num-classes", "10", "--batch-size", "2147483647", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(Count, doc.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("nonfinite_images").GetInt32());
        Assert.True(doc.RootElement.GetProperty("loss").GetDouble() > 0);
    }

    [Fact]
    public void Predict_writes_nan_logits_as_they_are_and_warns()
    {
        var model = ModelRegistry.Create("poolformer_mini", ModelOptions.For(new ModelInput(1, 28, 28), 10) with { Seed = 1 });
        model.StateDict()["head.bias"].AsSpan()[1] = float.NaN;
        string weights = Path.Combine(_dir, "nan-predict.safetensors");
        model.SaveSafeTensors(weights);
        string images = Path.Combine(_dir, "batch.npy"), logits = Path.Combine(_dir, "logits.npy");
        FormerSearch.Engine.IO.Npy.Save(images, FormerSearch.Engine.Tensor.FromArray(new float[3 * 28 * 28], 3, 1, 28, 28));
        var r = FormerProcess.Run("predict", "--model", "poolformer_mini", "--weights", weights, "--input", images, "--output", logits, "--num-classes", "10");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("NaN or infinite logits for 3 of 3 images", r.StdErr);
        Assert.True(float.IsNaN(FormerSearch.Engine.IO.Npy.Load(logits).AsSpan()[1]));
    }
}
