namespace FormerSearch.Cli.Tests;

/// <summary>A <c>--resume</c> with settings other than the run's is refused in one sentence naming the setting, and changes nothing.</summary>
public sealed class RefusedResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-resume-").FullName;
    private readonly string _spec;

    public RefusedResumeTests() => _spec = NpyFiles.RandomDataset(_dir, 64, seed: 9);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The arguments with the option's value replaced.
    private static string[] With(string[] args, string option, string value) =>
        args.Select((a, i) => i > 0 && args[i - 1] == option ? value : a).ToArray();

    private static void Refused(string folder, string[] args, string setting)
    {
        var before = FormerProcess.Snapshot(folder);
        var r = FormerProcess.Run(args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.StdErr}");
        Assert.Contains(setting, r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(r.StdErr.Length <= 300, r.StdErr);
        Assert.Equal(before, FormerProcess.Snapshot(folder));
    }

    // Trains a two-step supernet into OUTPUT/NAME with SETTINGS (--space … first) and returns its arguments.
    private string[] TrainedSupernet(string name, params string[] settings)
    {
        string[] args = ["supernet", "train", .. settings, "--dataset", _spec, "--val-size", "16", "--max-steps", "2",
            "--batch-size", "16", "--output", Path.Combine(_dir, name), "--threads", "1", "--no-progress"];
        var first = FormerProcess.Run(args);
        Assert.True(first.ExitCode == 0, first.StdErr);
        return args;
    }

    [Fact]
    public void A_supernet_resume_with_another_sampler_held_out_size_or_recipe_leaves_the_folder_as_it_was()
    {
        string sn = Path.Combine(_dir, "sn");
        var args = TrainedSupernet("sn", "--space", "burger", "--sampler", "spos");
        var spaceJson = File.ReadAllBytes(Path.Combine(sn, "space.json"));

        Refused(sn, [.. With(args, "--sampler", "uniform"), "--resume"], "--sampler spos, not uniform");
        Refused(sn, [.. With(args, "--val-size", "24"), "--resume"], "--val-size 16, not 24");
        Refused(sn, [.. args, "--resume", "--lr", "0.5"], "LearningRate");
        Assert.Equal(spaceJson, File.ReadAllBytes(Path.Combine(sn, "space.json")));

        // The same settings resume the finished run: its metrics stay as they were.
        var metrics = File.ReadAllBytes(Path.Combine(sn, "metrics.jsonl"));
        var again = FormerProcess.Run([.. args, "--resume"]);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(metrics, File.ReadAllBytes(Path.Combine(sn, "metrics.jsonl")));
        Assert.Equal(spaceJson, File.ReadAllBytes(Path.Combine(sn, "space.json")));
    }

    [Fact]
    public void A_supernet_resume_with_distillation_switched_is_refused_and_distillation_without_a_largest_subnet_is_refused_before_any_work()
    {
        string sn = Path.Combine(_dir, "distilled");
        var args = TrainedSupernet("distilled", "--space", "autoformer", "--sampler", "sandwich", "--distill");
        Assert.Contains("\"distill\": true", File.ReadAllText(Path.Combine(sn, "space.json")));
        Refused(sn, [.. args.Where(a => a != "--distill"), "--resume"], "--distill yes, not no");

        string plain = Path.Combine(_dir, "plain");
        foreach (string sampler in new[] { "uniform", "spos" })
        {
            Refused(_dir, [.. With(With(args, "--sampler", sampler), "--output", plain)], $"--sampler {sampler}");
            Assert.False(Directory.Exists(plain));
        }
        string search = Path.Combine(_dir, "search");
        Refused(_dir, ["search", "--preset", "quick", "--sampler", "spos", "--distill", "--dataset", _spec, "--output", search, "--threads", "1"], "--distill");
        Assert.False(Directory.Exists(search));
    }

    [Fact]
    public void Shared_glit_head_splits_are_recorded_kept_on_resume_and_refused_in_a_space_without_head_splits()
    {
        string sn = Path.Combine(_dir, "shared");
        var args = TrainedSupernet("shared", "--space", "glit", "--head-splits", "shared");
        Assert.Contains("\"head_splits\": \"shared\"", File.ReadAllText(Path.Combine(sn, "space.json")));
        Assert.Contains("blocks.0.attn.net.1.weight", File.ReadAllText(Path.Combine(sn, "supernet.safetensors")).AsSpan(0, 20_000).ToString());
        Refused(sn, [.. With(args, "--head-splits", "own"), "--resume"], "--head-splits shared, not own");

        string burger = Path.Combine(_dir, "burger");
        Refused(_dir, [.. With(With(args, "--space", "burger"), "--output", burger)], "--head-splits shared");
        Assert.False(Directory.Exists(burger));
        Refused(_dir, [.. args.Take(4), "--head-splits", "some", "--dataset", _spec, "--output", Path.Combine(_dir, "some")], "--head-splits 'some' is unknown");
        string search = Path.Combine(_dir, "search");
        Refused(_dir, ["search", "--preset", "quick", "--head-splits", "shared", "--dataset", _spec, "--output", search, "--threads", "1"], "--head-splits shared");
        Assert.False(Directory.Exists(search));
        Refused(_dir, ["search", "--supernet", sn, "--head-splits", "own", "--output", search, "--threads", "1"], "--head-splits own contradicts");
        Assert.False(Directory.Exists(search));
    }

    [Fact]
    public void A_training_resume_with_another_recipe_leaves_the_folder_as_it_was()
    {
        string run = Path.Combine(_dir, "train");
        string[] args = ["train", "--model", "poolformer_mini", "--dataset", _spec, "--max-steps", "2", "--batch-size", "16", "--output", run, "--threads", "1", "--no-progress"];
        var first = FormerProcess.Run(args);
        Assert.True(first.ExitCode == 0, first.StdErr);
        Refused(run, [.. args, "--resume", "--weight-decay", "0.5"], "WeightDecay");
    }
}
