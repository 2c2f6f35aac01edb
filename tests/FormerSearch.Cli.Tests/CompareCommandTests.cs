using System.Text.Json;
using System.Xml.Linq;

namespace FormerSearch.Cli.Tests;

/// <summary><c>former compare</c> end to end on a few hundred 28×28 images: a tiny search, two baselines, one epoch, one seed.</summary>
public sealed class CompareCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-compare-cli-").FullName;
    private readonly string _spec;

    public CompareCommandTests() => _spec = NpyFiles.RandomDataset(_dir, 200, seed: 5);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_comparison_writes_its_table_json_and_report_and_a_resumed_one_redoes_nothing()
    {
        string search = Path.Combine(_dir, "search");
        var searched = FormerProcess.Run("search", "--preset", "quick", "--dataset", _spec, "--val-size", "40", "--supernet-epochs", "1", "--population", "4",
            "--generations", "1", "--finetune-epochs", "0", "--output", search, "--threads", "1", "--json");
        Assert.True(searched.ExitCode == 0, searched.StdErr);

        string output = Path.Combine(_dir, "compare");
        string[] args = ["compare", "--searched", search, "--baselines", "deit_tiny,burgerformer_tiny", "--seeds", "1", "--epochs", "1", "--batch-size", "32",
            "--output", output, "--threads", "1", "--json"];
        var r = FormerProcess.Run(args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["searched", "searched, inherited", "baseline", "baseline"], rows.Select(row => row.GetProperty("kind").GetString()));
        Assert.Equal(["deit_tiny", "burgerformer_tiny"], rows.Skip(2).Select(row => row.GetProperty("name").GetString()));
        // Default budget: the searched best's MACs ± 10 %; the baselines are scaled into it.
        long best = rows[0].GetProperty("macs").GetInt64();
        var macs = doc.RootElement.GetProperty("budget").GetProperty("macs");
        Assert.Equal(0.9 * best, macs.GetProperty("min").GetDouble(), 3);
        Assert.Equal(1.1 * best, macs.GetProperty("max").GetDouble(), 3);
        foreach (var row in rows)
        {
            Assert.True(row.GetProperty("in_budget").GetBoolean(), row.ToString());
            Assert.Single(row.GetProperty("test_acc").EnumerateArray());
            Assert.InRange(row.GetProperty("mean_test_acc").GetDouble(), 0, 1);
            Assert.Equal(JsonValueKind.Null, row.GetProperty("sd_test_acc").ValueKind);
            Assert.True(row.GetProperty("latency_ms_batch1").GetDouble() > 0);
            Assert.True(row.GetProperty("latency_ms_batch64").GetDouble() > 0);
        }
        Assert.Equal("inherited", rows[1].GetProperty("init").GetString());
        using (var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "comparison.json"))))
            Assert.Equal(4, file.RootElement.GetProperty("rows").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(output, "runs", "deit_tiny", "seed-0", "result.json")));

        // The report draws every compared model as a labelled point beside the search's candidates.
        var html = XDocument.Parse(File.ReadAllText(Path.Combine(output, "report.html")).Replace("<!DOCTYPE html>", "", StringComparison.Ordinal));
        var labels = html.Descendants("text").Where(t => (string?)t.Attribute("class") == "cmplabel").Select(t => t.Value).ToList();
        Assert.Contains("deit_tiny", labels);
        Assert.Contains("burgerformer_tiny", labels);
        Assert.Equal(4, labels.Count);
        Assert.Equal(4, html.Descendants("rect").Count(e => ((string?)e.Attribute("class") ?? "").StartsWith("cmp ", StringComparison.Ordinal)));

        // Resumed: every (model, seed) run is read back, none is trained again, and the accuracies are the same.
        var again = FormerProcess.Run([.. args, "--resume"]);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.DoesNotContain("epoch(s) into", again.StdErr);
        Assert.DoesNotContain("epoch 1/1", again.StdErr);
        Assert.Equal(4, again.StdErr.Split('\n').Count(l => l.Contains("reusing", StringComparison.Ordinal)));
        using var resumed = JsonDocument.Parse(again.StdOut);
        Assert.Equal(rows.Select(row => row.GetProperty("mean_test_acc").GetDouble()),
            resumed.RootElement.GetProperty("rows").EnumerateArray().Select(row => row.GetProperty("mean_test_acc").GetDouble()));

        // Without --resume a finished comparison is not overwritten; under another budget its runs are not silently reused.
        var refused = FormerProcess.Run(args);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--resume", refused.StdErr);
        var other = FormerProcess.Run([.. args, "--resume", "--macs", "1M±10%"]);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("another model, recipe or data", other.StdErr);
    }

    [Fact]
    public void Baselines_alone_print_a_table_of_mean_and_spread_over_seeds()
    {
        string output = Path.Combine(_dir, "baselines");
        var r = FormerProcess.Run("compare", "--params", "100K", "--baselines", "deit_tiny", "--seeds", "2", "--max-steps", "2", "--batch-size", "32",
            "--dataset", _spec, "--output", output, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var line = r.StdOut.Split('\n').Single(l => l.StartsWith("deit_tiny", StringComparison.Ordinal));
        Assert.Contains("depth 3, width 48, 3 heads, 4×4 patches", line);
        Assert.Contains("88.7K", line);
        Assert.Matches(@"\d+\.\d\d ± \d+\.\d\d \(2\)", line);
        Assert.False(File.Exists(Path.Combine(output, "report.html"))); // no search, no study to draw
        Assert.True(File.Exists(Path.Combine(output, "runs", "deit_tiny", "seed-1", "result.json")));

        // The same runs as two replicas (DeiT has no batch norm): the same accuracy up to rounding, recorded as another run.
        var replicas = FormerProcess.Run("compare", "--params", "100K", "--baselines", "deit_tiny", "--seeds", "2", "--max-steps", "2", "--batch-size", "32",
            "--dataset", _spec, "--output", Path.Combine(_dir, "replicas"), "--threads", "1", "--replicas", "2");
        Assert.True(replicas.ExitCode == 0, replicas.StdErr);
        Assert.Contains("data-parallel training on 2 replicas in this process", replicas.StdErr);
        double Mean(string folder) => System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "comparison.json")))
            .RootElement.GetProperty("rows")[0].GetProperty("mean_test_acc").GetDouble();
        Assert.Equal(Mean(output), Mean(Path.Combine(_dir, "replicas")), 3);
        var reused = FormerProcess.Run("compare", "--params", "100K", "--baselines", "deit_tiny", "--seeds", "2", "--max-steps", "2", "--batch-size", "32",
            "--dataset", _spec, "--output", Path.Combine(_dir, "replicas"), "--threads", "1", "--resume");
        Assert.Equal(2, reused.ExitCode); // runs of 2 replicas are not reused for 1
        Assert.Contains("holds a run of another model, recipe or data", reused.StdErr);
    }

    [Theory]
    [InlineData("--baselines", "autoformer_tiny", "found by a search")]
    [InlineData("--macs", "lots", "--macs 'lots' is invalid")]
    [InlineData("--searched", "nowhere", "holds no finished search")]
    public void Bad_input_is_one_sentence_and_exit_2(string option, string value, string message)
    {
        string[] budget = option == "--macs" ? [] : ["--params", "1M"];
        var r = FormerProcess.Run(["compare", option, value, .. budget, "--dataset", _spec, "--output", Path.Combine(_dir, "bad"), "--threads", "1"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.StdErr);
    }
}
