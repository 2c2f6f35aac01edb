using System.Text.Json;
using FormerSearch.Engine.IO;
using Xunit.Abstractions;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// Data-parallel training under <c>mpirun -np 2</c> (Open MPI) and as two in-process replicas (<c>--replicas 2</c>): the weights
/// equal a one-process run with the same global batch (within 1e-5 relative: the sums are taken in another order), two 2-rank
/// runs write the same bytes, rank 0 alone reports and writes, a killed rank ends the run, and its checkpoint resumes with the
/// same number of ranks and is refused with another.
/// </summary>
public sealed class MpiTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-mpi-").FullName;
    private readonly string _spec;

    private readonly ITestOutputHelper _output;

    public MpiTrainingTests(ITestOutputHelper output)
    {
        _output = output;
        _spec = NpyFiles.RandomDataset(_dir, 64, seed: 5, step: 7);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    // 15 images per step: the ranks take 8 and 7, so the scaling by the global batch is tested, not just halving.
    private string[] Recipe(string output, params string[] more) =>
        ["--dataset", _spec, "--batch-size", "15", "--optimizer", "sgd", "--lr", "0.05", "--warmup-epochs", "0",
         "--seed", "5", "--threads", "1", "--no-progress", "--output", P(output), .. more];

    private static FormerProcess.Result Ok(FormerProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, r.StdErr);
        return r;
    }

    // The issue's bound: 1e-5 relative. The two runs sum each gradient (and synchronised batch-norm statistics) in another
    // order, so they differ by float rounding of sums whose size is set by the whole tensor, not by the one value: a value
    // near zero (a bias, a running mean, a weight that happens to sit near 0) carries the same absolute rounding as its larger
    // neighbours, and its relative error says nothing. Measured over all five cases, the absolute error is at most 1.8e-7
    // anywhere (about 3 float ulps at 0.5) and 1.1e-7 under 0.02. So a value under NearZero = 0.02 (the std of the linear
    // layers' truncated-normal initialisation in all three spaces: "small next to its tensor") is held to the absolute floor
    // 1e-5 · 0.02 = 2e-7; every other value to 1e-5 relative. Measured worst relative errors over |value| ≥ 0.02 (this
    // machine, AVX2): poolformer 9.0e-7, burger sync-bn train 4.9e-6; supernets autoformer 4.1e-7, glit 1.6e-6, burger 4.1e-6.
    // The closest any value comes is 0.55 of its bound (burger's supernet); a floor at 0.01 (1e-7) would fail there (1.1).
    private const double Relative = 1e-5, NearZero = 0.02;

    /// <summary>
    /// Asserts every value of two weights files agrees within |a − b| ≤ 1e-5·max(|a|, 0.02) (see above), and logs the worst
    /// relative error over values of magnitude ≥ 0.02 and the worst absolute error under it.
    /// </summary>
    private void AssertClose(string expectedPath, string actualPath)
    {
        var expected = SafeTensors.Load(expectedPath);
        var actual = SafeTensors.Load(actualPath);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        double worstRelative = 0, worstNearZero = 0;
        string worst = "", failure = "";
        foreach (var (name, e) in expected)
        {
            var a = actual[name].AsSpan();
            var x = e.AsSpan();
            for (int i = 0; i < x.Length; i++)
            {
                double error = Math.Abs((double)x[i] - a[i]), scale = Math.Abs((double)x[i]);
                if (scale >= NearZero && error / scale > worstRelative) (worstRelative, worst) = (error / scale, $"{name}[{i}]");
                if (scale < NearZero) worstNearZero = Math.Max(worstNearZero, error);
                if (failure == "" && error > Relative * Math.Max(scale, NearZero)) failure = $"{name}[{i}]: one process {x[i]}, two ranks {a[i]}";
            }
        }
        _output.WriteLine($"{actualPath}: worst relative error {worstRelative:G3} ({worst}), worst absolute error under {NearZero} {worstNearZero:G3}");
        Assert.True(failure == "", failure);
    }

    private static void AssertIdentical(string expectedPath, string actualPath)
    {
        var expected = SafeTensors.Load(expectedPath);
        var actual = SafeTensors.Load(actualPath);
        foreach (var (name, e) in expected) Assert.True(e.AsSpan().SequenceEqual(actual[name].AsSpan()), name);
    }

    private static int[] WorldSizes(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("world_size").GetInt32()).ToArray();

    [Fact]
    public void Two_ranks_train_the_weights_one_process_trains_and_rank_0_alone_writes()
    {
        // Two epochs of 4 steps: shuffling, the default augmentation (crops, no flips on this data) and drop path's masks cut into rank parts.
        string[] model = ["train", "--model", "poolformer_mini", "--epochs", "2", "--drop-path", "0.3"];
        Ok(FormerProcess.Run([.. model, .. Recipe("one")]));
        var two = Ok(MpiProcess.Run(2, [.. model, .. Recipe("two")]));

        AssertClose(P("one/model.safetensors"), P("two/model.safetensors"));
        Assert.Equal([2, 2], WorldSizes(P("two")));
        Assert.Equal([1, 1], WorldSizes(P("one")));
        // Rank 0 alone reports: the first log line names the ranks, the training line and the weights' path appear once.
        Assert.StartsWith("data-parallel training on 2 ranks (MPI): 15 images per step, 7-8 per rank, batch norm per rank",
            two.StdErr.Split('\n').Select(l => l.TrimStart('\u001b', '[', '?', '1', 'h', '=')).First(l => l.Length > 0));
        Assert.Single(two.StdErr.Split('\n'), l => l.Contains("training poolformer_mini"));
        Assert.Single(two.StdOut.Split('\n'), l => l.Contains("model.safetensors"));
        Assert.Equal(Directory.GetFiles(P("one")).Select(Path.GetFileName).Order(), Directory.GetFiles(P("two")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Two_in_process_replicas_train_the_weights_one_process_trains_whatever_the_thread_count()
    {
        string[] model = ["train", "--model", "poolformer_mini", "--epochs", "2", "--drop-path", "0.3"];
        Ok(FormerProcess.Run([.. model, .. Recipe("one")]));
        var two = Ok(FormerProcess.Run([.. model, .. Recipe("replicas", "--replicas", "2")]));
        AssertClose(P("one/model.safetensors"), P("replicas/model.safetensors"));
        Assert.Equal([2, 2], WorldSizes(P("replicas")));
        Assert.Contains("data-parallel training on 2 replicas in this process: 15 images per step, 7-8 per replica, batch norm per replica", two.StdErr);
        Assert.Single(two.StdErr.Split('\n'), l => l.Contains("training poolformer_mini"));
        Assert.Equal(Directory.GetFiles(P("one")).Select(Path.GetFileName).Order(), Directory.GetFiles(P("replicas")).Select(Path.GetFileName).Order());
        // Two threads run the replicas side by side, one takes turns between them: the same bytes.
        var twoThreads = Recipe("replicas2", "--replicas", "2");
        twoThreads[Array.IndexOf(twoThreads, "--threads") + 1] = "2";
        Ok(FormerProcess.Run([.. model, .. twoThreads]));
        AssertIdentical(P("replicas/model.safetensors"), P("replicas2/model.safetensors"));

        // A supernet with synchronised batch norm, as under mpirun.
        string[] supernet = ["supernet", "train", "--space", "burger", "--sampler", "sandwich", "--val-size", "4", "--max-steps", "3"];
        Ok(FormerProcess.Run([.. supernet, .. Recipe("sn-one")]));
        Ok(FormerProcess.Run([.. supernet, .. Recipe("sn-replicas", "--replicas", "2", "--sync-bn")]));
        AssertClose(P("sn-one/supernet.safetensors"), P("sn-replicas/supernet.safetensors"));

        foreach (var bad in new[] { new[] { "--replicas", "0" }, ["--replicas", "16"] }) // 16 replicas of 15 images
        {
            var r = FormerProcess.Run([.. model, .. Recipe("bad", bad)]);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.False(Directory.Exists(P("bad")));
        }
    }

    [Fact]
    public void Under_mpirun_without_Open_MPIs_library_the_run_stops_with_one_sentence()
    {
        // As mpirun would start a rank (it sets OMPI_COMM_WORLD_SIZE), on a machine where libmpi cannot be loaded.
        var r = FormerProcess.Run(new Dictionary<string, string> { ["OMPI_COMM_WORLD_SIZE"] = "2", ["FORMERSEARCH_LIBMPI"] = P("missing/libmpi.so.40") },
            ["train", "--model", "poolformer_mini", .. Recipe("none")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"former: This run was started by mpirun but Open MPI's library {P("missing/libmpi.so.40")} cannot be loaded; install openmpi-bin and libopenmpi-dev (apt-get install openmpi-bin libopenmpi-dev) or name it in FORMERSEARCH_LIBMPI."],
            r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(P("none")));
        // Without mpirun no MPI library is loaded at all: the same bad name is never looked at.
        Ok(FormerProcess.Run(new Dictionary<string, string> { ["FORMERSEARCH_LIBMPI"] = P("missing/libmpi.so.40") },
            ["train", "--model", "poolformer_mini", "--max-steps", "1", .. Recipe("plain")]));
    }

    [Fact]
    public void Synchronised_batch_norm_on_two_ranks_trains_the_weights_one_process_trains()
    {
        Ok(FormerProcess.Run("space", "sample", "burger", "--largest", "--output", P("archs"))); // BN sub-blocks
        string[] model = ["train", "--arch", P("archs/largest.json"), "--max-steps", "4", "--no-augment"];
        Ok(FormerProcess.Run([.. model, .. Recipe("one")]));
        var two = Ok(MpiProcess.Run(2, [.. model, .. Recipe("sync", "--sync-bn")]));
        Assert.Contains("batch norm synchronised over the ranks", two.StdErr);
        // Weights and running statistics (the global batch's, with the unbiased variance over all 15 images).
        AssertClose(P("one/model.safetensors"), P("sync/model.safetensors"));
    }

    [Theory]
    [InlineData("autoformer", null)]
    // GLiT's local (convolution) modules and BurgerFormer's sub-blocks have batch norm: with per-rank statistics (the default,
    // as DDP) GLiT's running means differ from one process's by up to 220 % (relative), so these take them over the global
    // batch, as one process does.
    [InlineData("glit", "--sync-bn")]
    [InlineData("burger", "--sync-bn")]
    public void A_supernet_of_each_space_trains_on_two_ranks_as_on_one_process_and_again_byte_for_byte(string space, string? syncBn)
    {
        // Sandwich: three subnets per step, the same on every rank (drawn from the seed and the step).
        string[] supernet = ["supernet", "train", "--space", space, "--sampler", "sandwich", "--val-size", "4", "--max-steps", "3"];
        string[] more = syncBn is null ? [] : [syncBn];
        Ok(FormerProcess.Run([.. supernet, .. Recipe("one")]));
        Ok(MpiProcess.Run(2, [.. supernet, .. Recipe("two", more)]));
        AssertClose(P("one/supernet.safetensors"), P("two/supernet.safetensors"));
        Assert.Equal([2], WorldSizes(P("two")));
        Assert.True(File.Exists(P("two/space.json")));
        // The same command on as many ranks again: the gradient sums go in a fixed order, so the weights file is the same bytes.
        Ok(MpiProcess.Run(2, [.. supernet, .. Recipe("again", more)]));
        Assert.Equal(File.ReadAllBytes(P("two/supernet.safetensors")), File.ReadAllBytes(P("again/supernet.safetensors")));
    }

    [Fact]
    public void A_killed_rank_ends_the_run_which_resumes_on_as_many_ranks_as_wrote_its_checkpoint_and_no_other_count()
    {
        string[] model = ["train", "--model", "poolformer_mini", "--epochs", "3", "--checkpoint-every", "1"];
        Ok(MpiProcess.Run(2, [.. model, .. Recipe("whole")]));

        // One rank killed (SIGKILL) once the first epoch's metrics are written: the other ends too, no rank waits forever.
        using (var run = MpiProcess.Start(2, [.. model, .. Recipe("cut")]))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            string metrics = P("cut/metrics.jsonl");
            while (!run.HasExited && DateTime.UtcNow < deadline && !(File.Exists(metrics) && File.ReadAllText(metrics).Contains('\n'))) Thread.Sleep(20);
            var ranks = MpiProcess.RankProcessIds(run);
            Assert.Equal(2, ranks.Length);
            using (var victim = System.Diagnostics.Process.GetProcessById(ranks[^1])) victim.Kill();
            var killed = FormerProcess.Finish(run, "mpirun with a killed rank", TimeSpan.FromMinutes(1));
            Assert.NotEqual(0, killed.ExitCode);
            Assert.Contains("exited on signal 9", killed.StdErr);
        }
        Assert.False(File.Exists(P("cut/model.safetensors")), "the run to resume finished before it was stopped");

        var three = MpiProcess.Run(3, [.. model, .. Recipe("cut", "--resume")]);
        Assert.Equal(2, three.ExitCode);
        Assert.Contains("was written by a run of 2 rank(s) and this run has 3; resume it with mpirun -np 2.", three.StdErr);
        var alone = FormerProcess.Run([.. model, .. Recipe("cut", "--resume")]);
        Assert.Equal(2, alone.ExitCode);
        Assert.Contains("resume it with mpirun -np 2.", alone.StdErr);

        Ok(MpiProcess.Run(2, [.. model, .. Recipe("cut", "--resume")]));
        // Same ranks, same seed: bit for bit the uninterrupted run.
        AssertIdentical(P("whole/model.safetensors"), P("cut/model.safetensors"));
        Assert.Equal([2, 2, 2], WorldSizes(P("cut")));
    }
}
