using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Cli.Tests;

/// <summary>The stages of <c>former search</c> as commands: space sample, supernet train/eval, extract, rank-study.</summary>
public sealed class SupernetCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-supernet-cli-").FullName;
    private readonly string _spec;

    public SupernetCommandTests()
    {
        const int n = 120;
        var images = Tensor.Empty(n, 1, 28, 28);
        new Generator(5).FillUniform(images.AsSpan(), 0f, 1f);
        Npy.Save(Path.Combine(_dir, "x.npy"), images);
        NpyFiles.WriteInt64(Path.Combine(_dir, "y.npy"), Enumerable.Range(0, n).Select(i => i % 10).ToArray());
        _spec = $"npy:{Path.Combine(_dir, "x.npy")},{Path.Combine(_dir, "y.npy")}";
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static void Ok(FormerProcess.Result r) => Assert.True(r.ExitCode == 0, r.StdErr);

    [Fact]
    public void Sample_train_eval_extract_and_rank_a_glit_supernet()
    {
        Ok(FormerProcess.Run("space", "sample", "glit", "--count", "2", "--seed", "4", "--output", P("archs")));
        string arch = P("archs/glit-mini-000.json");
        Ok(FormerProcess.Run("supernet", "train", "--space", "glit", "--sampler", "spos", "--dataset", _spec, "--val-size", "40", "--max-steps", "2",
            "--batch-size", "16", "--output", P("sn"), "--threads", "1", "--no-progress"));
        Assert.True(File.Exists(P("sn/supernet.safetensors")));

        var eval = FormerProcess.Run("supernet", "eval", "--supernet", P("sn"), "--arch", arch, "--bn-batches", "2", "--json");
        Ok(eval);
        using (var doc = JsonDocument.Parse(eval.StdOut))
            Assert.Equal(40, doc.RootElement.GetProperty("images").GetInt32());

        Ok(FormerProcess.Run("extract", "--supernet", P("sn"), "--arch", arch, "--output", P("best.safetensors"), "--no-recalibrate-bn"));
        Assert.True(File.Exists(P("best.arch.json")));
        // The extracted model is a zoo model: its eval on the held-out images equals the supernet's with that subnet
        // (both with the supernet's own batch-norm statistics; ExtractCommandTests checks the default re-estimation).
        var standalone = FormerProcess.Run("eval", "--arch", P("best.arch.json"), "--weights", P("best.safetensors"), "--dataset", _spec, "--split", "val", "--val-size", "40", "--json");
        Ok(standalone);
        var again = FormerProcess.Run("supernet", "eval", "--supernet", P("sn"), "--arch", arch, "--bn-batches", "0", "--json");
        Ok(again);
        using (JsonDocument a = JsonDocument.Parse(again.StdOut), b = JsonDocument.Parse(standalone.StdOut))
            Assert.Equal(a.RootElement.GetProperty("top1").GetDouble(), b.RootElement.GetProperty("top1").GetDouble());

        var rank = FormerProcess.Run("rank-study", "--supernet", P("sn"), "--samples", "3", "--max-steps", "1", "--spread", "--json", "--threads", "1");
        Ok(rank);
        using var r = JsonDocument.Parse(rank.StdOut);
        Assert.Equal("spread", r.RootElement.GetProperty("sampling").GetString());
        var macs = r.RootElement.GetProperty("pairs").EnumerateArray().Select(p => p.GetProperty("macs").GetInt64()).ToArray();
        Assert.Equal(3, macs.Length);
        Assert.Equal(macs.Order(), macs);
        Assert.True(File.Exists(P("sn/rank-study/rank_study.json")));
        var interval = r.RootElement.GetProperty("kendall_tau_ci95").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(2, interval.Length);
        Assert.True(interval[0] <= interval[1] && interval[0] >= -1 && interval[1] <= 1, $"{interval[0]} to {interval[1]}");
        Assert.Equal(JsonValueKind.Null, r.RootElement.GetProperty("standalone_seed_sd").ValueKind);

        // A second seed per subnet: the first seed's runs are reused, and the seed-to-seed spread is reported.
        var seeded = FormerProcess.Run("rank-study", "--supernet", P("sn"), "--samples", "3", "--max-steps", "1", "--spread", "--seeds", "2", "--threads", "1");
        Ok(seeded);
        Assert.Contains("95% bootstrap interval", seeded.StdOut);
        Assert.Contains("seed-to-seed sd", seeded.StdOut);
        Assert.True(Directory.Exists(P("sn/rank-study/subnet-02-seed-1")));
        using var s = JsonDocument.Parse(File.ReadAllText(P("sn/rank-study/rank_study.json")));
        Assert.Equal(2, s.RootElement.GetProperty("seeds").GetInt32());
        Assert.True(s.RootElement.GetProperty("standalone_seed_sd").GetDouble() >= 0);
        var firstSeed = r.RootElement.GetProperty("pairs").EnumerateArray().Select(p => p.GetProperty("standalone_val_acc").GetDouble()).ToArray();
        int i = 0;
        foreach (var pair in s.RootElement.GetProperty("pairs").EnumerateArray())
        {
            var accs = pair.GetProperty("standalone_val_accs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(firstSeed[i++], accs[0]);
            Assert.Equal(accs.Average(), pair.GetProperty("standalone_val_acc").GetDouble(), 12);
        }

        // Scored after fine-tuning from the inherited weights too: the stand-alone runs are reused, each subnet is fine-tuned
        // exactly the steps asked, and τ is reported for that score as well.
        var tuned = FormerProcess.Run("rank-study", "--supernet", P("sn"), "--samples", "3", "--max-steps", "1", "--spread", "--seeds", "2", "--finetune-steps", "2", "--threads", "1");
        Ok(tuned);
        Assert.Contains("after 2 fine-tuning steps: Kendall tau", tuned.StdOut);
        using var t = JsonDocument.Parse(File.ReadAllText(P("sn/rank-study/rank_study.json")));
        Assert.Equal(2, t.RootElement.GetProperty("finetune_steps").GetInt32());
        var tunedInterval = t.RootElement.GetProperty("finetuned_kendall_tau_ci95").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.True(tunedInterval[0] <= tunedInterval[1] && tunedInterval[0] >= -1 && tunedInterval[1] <= 1, $"{tunedInterval[0]} to {tunedInterval[1]}");
        var seededPairs = s.RootElement.GetProperty("pairs").EnumerateArray().ToArray();
        var tunedPairs = t.RootElement.GetProperty("pairs").EnumerateArray().ToArray();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(seededPairs[k].GetProperty("standalone_val_acc").GetDouble(), tunedPairs[k].GetProperty("standalone_val_acc").GetDouble());
            Assert.Equal(seededPairs[k].GetProperty("inherited_val_acc").GetDouble(), tunedPairs[k].GetProperty("inherited_val_acc").GetDouble());
            Assert.InRange(tunedPairs[k].GetProperty("finetuned_val_acc").GetDouble(), 0, 1);
            var lastLine = File.ReadLines(P($"sn/rank-study/subnet-{k:D2}-finetune-2/metrics.jsonl")).Last();
            Assert.Equal(2, JsonDocument.Parse(lastLine).RootElement.GetProperty("step").GetInt32());
        }
        Assert.Equal(20, t.RootElement.GetProperty("bn_batches").GetInt32());

        // Each inherited score is the one `supernet eval` gives that subnet after as many batch-norm batches.
        foreach (var batches in new[] { "0", "3" })
        {
            var calibrated = FormerProcess.Run("rank-study", "--supernet", P("sn"), "--samples", "2", "--max-steps", "1", "--bn-batches", batches,
                "--output", P($"rank-bn{batches}"), "--json", "--threads", "1");
            Ok(calibrated);
            using var c = JsonDocument.Parse(calibrated.StdOut);
            Assert.Equal(int.Parse(batches), c.RootElement.GetProperty("bn_batches").GetInt32());
            int n = 0;
            foreach (var pair in c.RootElement.GetProperty("pairs").EnumerateArray())
            {
                string key = pair.GetProperty("arch").GetString()!;
                var (head, choices) = (key[..key.IndexOf(':')], key[(key.IndexOf(':') + 1)..]);
                var architecture = new FormerSearch.Spaces.Architecture(head[..head.IndexOf('/')], head[(head.IndexOf('/') + 1)..],
                    choices.Split(';').Select(e => new KeyValuePair<string, string>(e[..e.IndexOf('=')], e[(e.IndexOf('=') + 1)..])));
                string file = P($"rank-bn{batches}-{n++}.json");
                File.WriteAllText(file, architecture.ToJson());
                var single = FormerProcess.Run("supernet", "eval", "--supernet", P("sn"), "--arch", file, "--bn-batches", batches, "--json");
                Ok(single);
                using var e = JsonDocument.Parse(single.StdOut);
                Assert.Equal(e.RootElement.GetProperty("top1").GetDouble(), pair.GetProperty("inherited_val_acc").GetDouble(), 12);
            }
        }
        var badBatches = FormerProcess.Run("rank-study", "--supernet", P("sn"), "--samples", "3", "--bn-batches", "-1", "--threads", "1");
        Assert.Equal(2, badBatches.ExitCode);
        Assert.Contains("--bn-batches", badBatches.StdErr);

        var bad = FormerProcess.Run("rank-study", "--supernet", P("sn"), "--samples", "3", "--finetune-steps", "0", "--threads", "1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--finetune-steps", bad.StdErr);
    }

    [Fact]
    public void Supernet_train_and_extract_print_one_json_object_with_json()
    {
        Ok(FormerProcess.Run("space", "sample", "autoformer", "--smallest", "--output", P("archs")));
        var train = FormerProcess.Run("supernet", "train", "--space", "autoformer", "--dataset", _spec, "--val-size", "40", "--max-steps", "2",
            "--batch-size", "16", "--output", P("sn"), "--seed", "3", "--threads", "1", "--no-progress", "--json");
        Ok(train);
        using (var doc = JsonDocument.Parse(train.StdOut))
        {
            var root = doc.RootElement;
            Assert.Equal(["output", "weights", "metrics", "last_epoch", "skipped_images"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(P("sn/supernet.safetensors"), root.GetProperty("weights").GetString());
            Assert.Equal(2, root.GetProperty("last_epoch").GetProperty("step").GetInt32());
        }
        Assert.Contains("\"seed\": 3", File.ReadAllText(P("sn/space.json")));

        var extract = FormerProcess.Run("extract", "--supernet", P("sn"), "--arch", P("archs/smallest.json"), "--output", P("small.safetensors"), "--json");
        Ok(extract);
        using var e = JsonDocument.Parse(extract.StdOut);
        Assert.Equal(P("small.safetensors"), e.RootElement.GetProperty("weights").GetString());
        Assert.Equal(P("small.arch.json"), e.RootElement.GetProperty("arch").GetString());
        Assert.True(File.Exists(P("small.arch.json")));
    }

    [Theory]
    [InlineData("supernet", "eval", "--supernet", "/nonexistent/sn", "--arch", "a.json")]
    [InlineData("supernet", "train", "--space", "glit", "--sampler", "greedy", "--dataset", "fashion-mnist", "--output", "/tmp/never")]
    [InlineData("space", "show", "nasbench")]
    [InlineData("space", "sample", "glit", "--smallest", "--largest", "--output", "/tmp/never")]
    [InlineData("rank-study", "--supernet", "/nonexistent/sn")]
    public void Bad_input_is_one_sentence_and_exit_code_2(params string[] args)
    {
        var r = FormerProcess.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
