using System.Text.Json.Nodes;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// <c>former train</c> killed with SIGKILL at moments up to its final writes, then resumed: the folder an uninterrupted
/// run leaves, every file byte for byte, the metrics line for line except timings, and no temporary left.
/// </summary>
public sealed class KilledTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-killed-").FullName;
    private readonly string _spec;

    public KilledTrainingTests() => _spec = NpyFiles.RandomDataset(_dir, 64, seed: 11);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Args(string output) =>
        ["train", "--model", "poolformer_mini", "--dataset", _spec, "--epochs", "3", "--batch-size", "8", "--checkpoint-every", "1", "--val-size", "16",
            "--output", output, "--threads", "1", "--no-progress"];

    private static int MetricsLines(string folder)
    {
        try { return File.ReadAllText(Path.Combine(folder, "metrics.jsonl")).Count(c => c == '\n'); }
        catch (IOException) { return 0; }
    }

    [Theory]
    [InlineData(1)] // as soon as the first epoch's line is logged (before or while its checkpoint is written)
    [InlineData(3)] // as soon as the last epoch's line is logged: the final checkpoint and weights are being written
    public void A_run_killed_after_a_metrics_line_resumes_to_the_folder_of_an_uninterrupted_run(int lines)
    {
        string whole = Path.Combine(_dir, "whole"), killed = Path.Combine(_dir, $"killed-{lines}");
        var r = FormerProcess.Run(Args(whole));
        Assert.True(r.ExitCode == 0, r.StdErr);

        using (var process = FormerProcess.Start(null, Args(killed)))
        {
            while (!process.HasExited && MetricsLines(killed) < lines) Thread.Sleep(1);
            if (!process.HasExited) process.Kill(); // SIGKILL
            process.WaitForExit();
        }
        if (lines < 3) Assert.False(File.Exists(Path.Combine(killed, "model.safetensors"))); // the kill landed mid-run
        var resumed = FormerProcess.Run([.. Args(killed), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);

        var names = Directory.GetFiles(whole).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(names, Directory.GetFiles(killed).Select(Path.GetFileName).Order().ToArray());
        foreach (var name in names.Where(n => n != "metrics.jsonl"))
            Assert.True(File.ReadAllBytes(Path.Combine(whole, name!)).SequenceEqual(File.ReadAllBytes(Path.Combine(killed, name!))), $"{name} differs");
        var expected = File.ReadAllLines(Path.Combine(whole, "metrics.jsonl")).Select(WithoutTimings).ToArray();
        Assert.Equal(3, expected.Length);
        Assert.Equal(expected, File.ReadAllLines(Path.Combine(killed, "metrics.jsonl")).Select(WithoutTimings).ToArray());
    }

    private static string WithoutTimings(string line)
    {
        var node = JsonNode.Parse(line)!.AsObject();
        node.Remove("images_per_s");
        node.Remove("seconds");
        return node.ToJsonString();
    }
}
