using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Cli.Tests;

/// <summary><c>former search</c> end to end on a few hundred 28×28 images the test writes (the real default run takes minutes).</summary>
public sealed class SearchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-search-cli-").FullName;
    private readonly string _spec;

    public SearchCommandTests()
    {
        const int n = 160;
        var rng = new Generator(3);
        var images = Tensor.Empty(n, 1, 28, 28);
        rng.FillUniform(images.AsSpan(), 0f, 1f);
        Npy.Save(Path.Combine(_dir, "x.npy"), images);
        NpyFiles.WriteInt64(Path.Combine(_dir, "y.npy"), Enumerable.Range(0, n).Select(i => i % 10).ToArray());
        _spec = $"npy:{Path.Combine(_dir, "x.npy")},{Path.Combine(_dir, "y.npy")}";
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_quick_search_writes_everything_and_a_resumed_one_reuses_it()
    {
        string output = Path.Combine(_dir, "run");
        string[] args = ["search", "--preset", "quick", "--space", "autoformer", "--sampler", "sandwich", "--dataset", _spec, "--val-size", "40",
            "--output", output, "--threads", "1", "--json"];
        var r = FormerProcess.Run(args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var best = doc.RootElement.GetProperty("best");
        Assert.Equal(Path.GetFullPath(output), doc.RootElement.GetProperty("output").GetString());
        Assert.Equal("autoformer", best.GetProperty("arch").GetProperty("space").GetString());
        Assert.True(best.GetProperty("macs").GetInt64() > 0);
        Assert.InRange(best.GetProperty("test_acc").GetDouble(), 0, 1);
        foreach (var file in new[] { "study.sqlite", "report.html", "summary.json", "supernet/supernet.safetensors", "supernet/space.json", "best/model.safetensors", "best/model.arch.json" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.DoesNotContain("http", File.ReadAllText(Path.Combine(output, "report.html")));

        // The extracted, fine-tuned best is a model every command reads.
        var eval = FormerProcess.Run("eval", "--arch", Path.Combine(output, "best", "model.arch.json"), "--weights", Path.Combine(output, "best", "model.safetensors"), "--dataset", _spec, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);

        var again = FormerProcess.Run([.. args, "--resume"]);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(r.StdOut, again.StdOut);
        Assert.Contains("reusing", again.StdErr);

        var refused = FormerProcess.Run(args);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--resume", refused.StdErr);
    }

    [Theory]
    [InlineData("--space", "nasnet")]
    [InlineData("--preset", "huge")]
    [InlineData("--sampler", "greedy")]
    [InlineData("--algorithm", "annealing")]
    [InlineData("--budget-macs", "ten")]
    [InlineData("--budget-macs", "1")]
    public void Bad_options_are_one_sentence_and_exit_code_2(string option, string value)
    {
        var r = FormerProcess.Run("search", option, value, "--dataset", _spec, "--val-size", "40", "--output", Path.Combine(_dir, "bad"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
