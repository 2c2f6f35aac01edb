namespace FormerSearch.Cli.Tests;

/// <summary>
/// What a command writes cannot land on something of the other kind: a file where a folder is written, a folder where a
/// file is written. Refused before any work in one sentence (exit 2), with nothing changed.
/// </summary>
public sealed class OutputCollisionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-output-").FullName;
    private readonly string _spec;

    public OutputCollisionTests()
    {
        _spec = NpyFiles.RandomDataset(_dir, 48, seed: 8);
        File.WriteAllText(P("existing.txt"), "keep me\n");
        Directory.CreateDirectory(P("existing-folder"));
        File.WriteAllText(P("existing-folder/inside.txt"), "keep me too\n");
        File.WriteAllText(P("weights.safetensors"), "not read: the output is refused first\n");
        File.WriteAllText(P("checkpoint.pth"), "not read either\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    public static TheoryData<string, string[]> FileWhereAFolderGoes => new()
    {
        { "train", ["train", "--model", "poolformer_mini", "--dataset", "SPEC", "--max-steps", "1", "--output", "TARGET"] },
        { "supernet train", ["supernet", "train", "--space", "burger", "--dataset", "SPEC", "--max-steps", "1", "--output", "TARGET"] },
        { "search", ["search", "--preset", "quick", "--dataset", "SPEC", "--val-size", "8", "--output", "TARGET"] },
        { "space sample", ["space", "sample", "burger", "--output", "TARGET"] },
        { "data export", ["data", "export", "--dataset", "SPEC", "--limit", "2", "--output", "TARGET"] },
    };

    public static TheoryData<string, string[]> FolderWhereAFileGoes => new()
    {
        { "predict", ["predict", "--model", "poolformer_mini", "--weights", "DIR/weights.safetensors", "--input", "DIR/x.npy", "--output", "TARGET"] },
        { "report", ["report", "--study", "DIR/study.sqlite", "--output", "TARGET"] },
        { "extract", ["extract", "--supernet", "DIR/sn", "--arch", "DIR/a.json", "--output", "TARGET"] },
        { "export", ["export", "--model", "poolformer_mini", "--weights", "DIR/weights.safetensors", "--output", "TARGET"] },
        { "convert", ["convert", "DIR/checkpoint.pth", "TARGET"] },
    };

    [Theory]
    [MemberData(nameof(FileWhereAFolderGoes))]
    public void An_existing_file_where_a_folder_is_written_is_refused_and_kept(string command, string[] args)
    {
        string target = P("existing.txt");
        RefusedAndKept(command, Fill(args, target), $"'{target}' is a file");
        // A file above the folder is refused the same way (it cannot become a folder).
        RefusedAndKept(command, Fill(args, Path.Combine(target, "run")), $"'{target}' is a file");
    }

    [Theory]
    [MemberData(nameof(FolderWhereAFileGoes))]
    public void An_existing_folder_where_a_file_is_written_is_refused_and_kept(string command, string[] args)
    {
        string target = P("existing-folder");
        RefusedAndKept(command, Fill(args, target), $"'{target}' is a folder");
    }

    private void RefusedAndKept(string command, string[] args, string says)
    {
        var before = FormerProcess.Snapshot(_dir);
        var r = FormerProcess.Run(args);
        Assert.True(r.ExitCode == 2, $"{command}: exit {r.ExitCode}: {r.StdErr}");
        Assert.Contains(says, r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, FormerProcess.Snapshot(_dir));
    }

    [Fact]
    public void A_training_run_removes_the_temporaries_of_dead_writers_and_keeps_a_live_ones()
    {
        string output = P("run");
        Directory.CreateDirectory(output);
        string stale = Path.Combine(output, $"checkpoint.safetensors.tmp-{FormerProcess.DeadProcessId()}");
        string live = Path.Combine(output, $"checkpoint.safetensors.tmp-{Environment.ProcessId}-1"); // this test process is alive
        File.WriteAllBytes(stale, new byte[1 << 16]);
        File.WriteAllBytes(live, new byte[1 << 16]);

        var r = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", _spec, "--max-steps", "1", "--batch-size", "8", "--output", output, "--threads", "1", "--no-progress");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
    }

    private string[] Fill(string[] args, string target) =>
        args.Select(a => a == "TARGET" ? target : a == "SPEC" ? _spec : a.Replace("DIR/", _dir + "/", StringComparison.Ordinal)).ToArray();
}
