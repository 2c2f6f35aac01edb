using System.Diagnostics;
using System.Text.Json.Nodes;
using FormerSearch.Training;

namespace FormerSearch.Tests.Training;

/// <summary>
/// A run killed just before any one of its writes (a temporary half-written beside it), then resumed, leaves the folder an
/// uninterrupted run leaves: every file byte for byte, the metrics line for line except the timings.
/// </summary>
public sealed class TrainerKillTests : IDisposable
{
    private static readonly string[] TimingFields = ["images_per_s", "seconds"];
    private readonly string _dir = Directory.CreateTempSubdirectory("former-train-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Killed : Exception;

    // 24 images in batches of 4: 6 steps an epoch. A budget of 9 steps ends inside the second epoch, whose line is logged
    // although unfinished; checkpoints every 2 steps. The writes: checkpoint (step 2, 4), metrics, checkpoint (6, 8),
    // metrics, checkpoint (9), model, model_ema.
    private static Trainer Make(string dir, Action<string>? beforeWrite = null)
    {
        var (images, labels) = TensorBatchSource.Random(24, 32, 32, 3, 4, seed: 12);
        var options = new TrainingOptions { Epochs = 2, MaxSteps = 9, CheckpointEvery = 2, EmaDecay = 0.9 };
        return new Trainer(TrainerTests.TinyModel(0.1f), new TensorBatchSource(images, labels, 4), new TensorBatchSource(images, labels, 8), options, dir)
        {
            BeforeWrite = beforeWrite,
        };
    }

    [Fact]
    public void A_run_killed_before_any_write_resumes_to_the_folder_of_an_uninterrupted_run()
    {
        string whole = Path.Combine(_dir, "whole");
        var writes = new List<string>();
        Make(whole, writes.Add).Run();
        Assert.Equal(9, writes.Count);
        Assert.Equal(["checkpoint.safetensors", "checkpoint.safetensors", "metrics.jsonl", "checkpoint.safetensors", "checkpoint.safetensors",
            "metrics.jsonl", "checkpoint.safetensors", "model.safetensors", "model_ema.safetensors"], writes);
        int dead = DeadProcessId();

        for (int k = 1; k <= writes.Count + 1; k++) // k = 10: the run finished, and is resumed once more
        {
            string killed = Path.Combine(_dir, $"killed-{k}");
            int n = 0;
            var run = Make(killed, name =>
            {
                if (++n != k) return;
                // What kill -9 in the middle of this write leaves: the writer's temporary.
                File.WriteAllBytes(Path.Combine(killed, $"{name}.tmp-{dead}-1"), new byte[4096]);
                throw new Killed();
            });
            if (k <= writes.Count) Assert.Throws<Killed>(() => run.Run());
            else run.Run();
            Make(killed).Run(resume: true);
            AssertSameFolder(whole, killed, $"killed before write {k}");
        }
    }

    [Fact]
    public void A_finished_run_whose_budget_ended_inside_its_first_epoch_keeps_its_metrics_when_resumed()
    {
        // The case that emptied metrics.jsonl: the last checkpoint stands inside epoch 0, whose line is already logged.
        var (images, labels) = TensorBatchSource.Random(24, 32, 32, 3, 4, seed: 13);
        var options = new TrainingOptions { Epochs = 3, MaxSteps = 3 };
        string dir = Path.Combine(_dir, "short");
        new Trainer(TrainerTests.TinyModel(), new TensorBatchSource(images, labels, 4), null, options, dir).Run();
        var before = File.ReadAllBytes(Path.Combine(dir, "metrics.jsonl"));
        Assert.Single(File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")));
        new Trainer(TrainerTests.TinyModel(), new TensorBatchSource(images, labels, 4), null, options, dir).Run(resume: true);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "metrics.jsonl")));
    }

    [Fact]
    public void A_resume_with_other_settings_names_the_setting_and_changes_nothing()
    {
        var (images, labels) = TensorBatchSource.Random(8, 32, 32, 3, 4, seed: 14);
        string dir = Path.Combine(_dir, "refused");
        new Trainer(TrainerTests.TinyModel(), new TensorBatchSource(images, labels, 4), null, new TrainingOptions { Epochs = 1 }, dir).Run();
        string stale = Path.Combine(dir, $"checkpoint.safetensors.tmp-{DeadProcessId()}");
        File.WriteAllBytes(stale, new byte[16]);
        var before = Snapshot(dir);
        var other = new Trainer(TrainerTests.TinyModel(), new TensorBatchSource(images, labels, 4), null, new TrainingOptions { Epochs = 1, LearningRate = 0.5 }, dir);
        var e = Assert.Throws<Engine.UserInputException>(() => other.Run(resume: true));
        Assert.Contains("LearningRate = 0.5 now", e.Message);
        Assert.True(e.Message.Length <= 300, e.Message);
        Assert.Throws<Engine.UserInputException>(other.CheckResume);
        Assert.Equal(before, Snapshot(dir));
    }

    internal static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>Every file's name, bytes and modification time.</summary>
    internal static Dictionary<string, (string Bytes, DateTime Written)> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f),
            f => (Convert.ToHexString(File.ReadAllBytes(f)), File.GetLastWriteTimeUtc(f)));

    private static void AssertSameFolder(string expected, string actual, string because)
    {
        var names = Directory.GetFiles(expected).Select(Path.GetFileName).Order().ToArray();
        Assert.True(names.SequenceEqual(Directory.GetFiles(actual).Select(Path.GetFileName).Order()),
            $"{because}: {string.Join(", ", Directory.GetFiles(actual).Select(Path.GetFileName))}");
        foreach (var name in names)
        {
            if (name == "metrics.jsonl") continue;
            Assert.True(File.ReadAllBytes(Path.Combine(expected, name!)).SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name!))), $"{because}: {name} differs");
        }
        var lines = File.ReadAllLines(Path.Combine(expected, "metrics.jsonl"));
        var resumed = File.ReadAllLines(Path.Combine(actual, "metrics.jsonl"));
        Assert.True(lines.Length == resumed.Length, $"{because}: {resumed.Length} metrics lines, not {lines.Length}");
        Assert.Equal(2, lines.Length);
        for (int i = 0; i < lines.Length; i++) Assert.Equal(WithoutTimings(lines[i]), WithoutTimings(resumed[i]));
    }

    private static string WithoutTimings(string line)
    {
        var node = JsonNode.Parse(line)!.AsObject();
        foreach (var field in TimingFields) Assert.True(node.Remove(field), field);
        return node.ToJsonString();
    }
}
