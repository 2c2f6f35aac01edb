using System.Text.Json;

namespace FormerSearch.Cli.Tests;

/// <summary>`bench infer` and `bench train` share one shape; each case runs for both.</summary>
public sealed class BenchThroughputCommandTests
{
    [Theory]
    [InlineData("infer")]
    [InlineData("train")]
    public void Json_has_the_documented_shape(string bench)
    {
        var r = FormerProcess.Run("bench", bench, "--model", "poolformer_s12", "--batch-size", "2", "--input", "3x32x32", "--threads", "1", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        string[] fields = bench == "train"
            ? ["model", "batch_size", "input", "threads", "images_per_s", "gflop_per_s", "peak_gflop_per_s"]
            : ["model", "batch_size", "input", "threads", "images_per_s"];
        Assert.Equal(fields, root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("poolformer_s12", root.GetProperty("model").GetString());
        Assert.Equal(2, root.GetProperty("batch_size").GetInt32());
        Assert.Equal([3, 32, 32], root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(1, root.GetProperty("threads").GetInt32());
        Assert.True(root.GetProperty("images_per_s").GetDouble() > 0);
        if (bench == "train")
        {
            // No step reaches the FMA limit: the achieved rate is a fraction of the measured peak.
            double achieved = root.GetProperty("gflop_per_s").GetDouble(), peak = root.GetProperty("peak_gflop_per_s").GetDouble();
            Assert.InRange(achieved, 1e-3, peak);
        }
    }

    [Fact]
    public void Infer_beside_onnx_runtime_adds_its_rate_the_ratio_and_the_export_time()
    {
        var r = FormerProcess.Run("bench", "infer", "--model", "poolformer_s12", "--batch-size", "2", "--input", "3x32x32", "--threads", "1",
            "--runtime", "onnxruntime", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal(["model", "batch_size", "input", "threads", "runtime", "images_per_s", "onnxruntime_images_per_s", "ratio", "export_seconds"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("onnxruntime", root.GetProperty("runtime").GetString());
        double ours = root.GetProperty("images_per_s").GetDouble(), theirs = root.GetProperty("onnxruntime_images_per_s").GetDouble();
        Assert.True(ours > 0 && theirs > 0);
        Assert.Equal(theirs / ours, root.GetProperty("ratio").GetDouble(), 0.01 * theirs / ours + 1e-3);
        Assert.True(root.GetProperty("export_seconds").GetDouble() > 0);

        var text = FormerProcess.Run("bench", "infer", "--model", "deit_tiny", "--batch-size", "2", "--input", "3x32x32", "--runtime", "onnxruntime");
        Assert.True(text.ExitCode == 0, text.StdErr);
        Assert.Contains("ONNX Runtime:", text.StdOut);
        Assert.Equal(2, FormerProcess.Run("bench", "infer", "--model", "deit_tiny", "--runtime", "tensorrt").ExitCode);
    }

    [Theory]
    [InlineData("infer")]
    [InlineData("train")]
    public void The_text_form_is_one_line_with_the_rate(string bench)
    {
        var r = FormerProcess.Run("bench", bench, "--model", "deit_tiny", "--batch-size", "2", "--input", "3x32x32");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("images/s", r.StdOut);
    }

    [Theory]
    [InlineData("--model", "poolformer_xxl")]
    [InlineData("--model", "deit_tiny", "--input", "3x30x30")]
    [InlineData("--model", "deit_tiny", "--input", "3x32")]
    [InlineData("--model", "deit_tiny", "--batch-size", "0")]
    [InlineData("--model", "deit_tiny", "--threads", "0")]
    [InlineData("--model", "deit_tiny", "--arch", "x.yaml")]
    [InlineData("--batch-size", "2")]
    [InlineData("--arch", "/nonexistent/arch.yaml")]
    public void Bad_input_is_one_sentence_and_exit_code_2(params string[] args)
    {
        foreach (var bench in new[] { "infer", "train" })
        {
            var r = FormerProcess.Run(["bench", bench, .. args]);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("", r.StdOut);
        }
    }

    [Fact]
    public void An_arch_file_is_measured_under_its_name()
    {
        string path = Path.Combine(Path.GetTempPath(), $"former-arch-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "RETRAIN:\n  MLP_RATIO: 2.0\n  NUM_HEADS: [1, 2]\n  DEPTH: 2\n  EMBED_DIM: 32\n");
        try
        {
            var r = FormerProcess.Run("bench", "train", "--arch", path, "--batch-size", "2", "--input", "3x32x32", "--threads", "1", "--json");
            Assert.True(r.ExitCode == 0, r.StdErr);
            using var doc = JsonDocument.Parse(r.StdOut);
            Assert.Equal(Path.GetFileNameWithoutExtension(path), doc.RootElement.GetProperty("model").GetString());

            // GFLOP/s: 6 FLOPs per forward multiply-add of the model's profile, per image per second.
            var profile = FormerProcess.Run("profile", "--arch", path, "--input", "3x32x32", "--json");
            using var macs = JsonDocument.Parse(profile.StdOut);
            double expected = doc.RootElement.GetProperty("images_per_s").GetDouble() * macs.RootElement.GetProperty("macs").GetInt64() * 6 / 1e9;
            Assert.Equal(expected, doc.RootElement.GetProperty("gflop_per_s").GetDouble(), 0.05 + expected * 0.01);
        }
        finally { File.Delete(path); }
    }
}
