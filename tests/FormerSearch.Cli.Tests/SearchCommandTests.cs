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
        // The score's standard error, √(p(1−p)/n) over the held-out images a candidate is scored on (all 40 here).
        double p = best.GetProperty("inherited_val_acc").GetDouble();
        Assert.Equal(40, best.GetProperty("scored_images").GetInt32());
        Assert.Equal(Math.Sqrt(p * (1 - p) / 40), best.GetProperty("inherited_val_acc_se").GetDouble(), 12);
        Assert.Contains("the standard error of an accuracy on 40 images", r.StdErr);
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

        // A resume with other settings is refused, naming the setting, before anything in the folder changes.
        var before = FormerProcess.Snapshot(output);
        var other = FormerProcess.Run([.. args, "--resume", "--population", "5"]);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("--population", other.StdErr);
        Assert.Single(other.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, FormerProcess.Snapshot(output));

        // Killed during the final writes (the summary and report not yet renamed into place, a temporary left): the resumed
        // run writes the same summary and removes the temporary.
        string summaryPath = Path.Combine(output, "summary.json");
        var summary = File.ReadAllBytes(summaryPath);
        File.Delete(summaryPath);
        File.Delete(Path.Combine(output, "report.html"));
        string stale = $"{summaryPath}.tmp-{FormerProcess.DeadProcessId()}-1";
        File.WriteAllText(stale, "{ \"output\": ");
        var finished = FormerProcess.Run([.. args, "--resume"]);
        Assert.True(finished.ExitCode == 0, finished.StdErr);
        Assert.Equal(r.StdOut, finished.StdOut);
        Assert.Equal(summary, File.ReadAllBytes(summaryPath));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(Path.Combine(output, "report.html")));

        var refused = FormerProcess.Run(args);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--resume", refused.StdErr);
    }

    // A BurgerFormer supernet trained two steps with SPOS on 80 of the images (40 held out): its folder.
    // `former search` of the trained supernet in `trained` by random search, quietly on one thread, printing its summary.
    private string[] SearchTrained(string preset, string trained, string output, int population, int generations, params string[] more) =>
        ["search", "--preset", preset, "--supernet", trained, "--algorithm", "random", "--population", $"{population}", "--generations", $"{generations}",
            .. more, "--dataset", _spec, "--output", output, "--threads", "1", "--json"];

    private string TrainBurgerSupernet()
    {
        string trained = Path.Combine(_dir, "sn");
        var train = FormerProcess.Run("supernet", "train", "--space", "burger", "--sampler", "spos", "--dataset", _spec, "--val-size", "40", "--max-steps", "2",
            "--batch-size", "16", "--seed", "5", "--output", trained, "--threads", "1", "--no-progress");
        Assert.True(train.ExitCode == 0, train.StdErr);
        return trained;
    }

    [Fact]
    public void A_trained_supernet_is_searched_on_its_own_split_without_training_again()
    {
        string trained = TrainBurgerSupernet();
        string output = Path.Combine(_dir, "searched");
        var r = FormerProcess.Run(SearchTrained("quick", trained, output, population: 4, generations: 2, "--finetune-epochs", "0"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains($"searching the trained supernet in {trained}", r.StdErr);
        Assert.Contains("inherited weights", r.StdErr);
        Assert.False(Directory.Exists(Path.Combine(output, "supernet")));
        Assert.False(Directory.Exists(Path.Combine(output, "finetune")));
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal("burger", doc.RootElement.GetProperty("best").GetProperty("arch").GetProperty("space").GetString());
        // Without fine-tuning the best's weights are the inherited ones.
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "best", "inherited.safetensors")), File.ReadAllBytes(Path.Combine(output, "best", "model.safetensors")));
        // The best's model card holds the subnet, the data set and the held-out split: eval needs nothing else to score the images the search did.
        var eval = FormerProcess.Run("eval", "--weights", Path.Combine(output, "best", "model.safetensors"), "--split", "val", "--json", "--threads", "1");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        using var scored = JsonDocument.Parse(eval.StdOut);
        Assert.Equal(40, scored.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(doc.RootElement.GetProperty("best").GetProperty("val_acc").GetDouble(), scored.RootElement.GetProperty("top1").GetDouble());

        var contradicted = FormerProcess.Run("search", "--supernet", trained, "--space", "glit", "--dataset", _spec, "--output", Path.Combine(_dir, "other"));
        Assert.Equal(2, contradicted.ExitCode);
        Assert.Contains("--space glit contradicts", contradicted.StdErr);
        var missing = FormerProcess.Run("search", "--supernet", Path.Combine(_dir, "nothing"), "--dataset", _spec, "--output", Path.Combine(_dir, "other"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Single(missing.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Fine_tuning_on_every_training_image_takes_the_held_out_ones_too_and_reports_no_held_out_score()
    {
        string trained = TrainBurgerSupernet();
        string output = Path.Combine(_dir, "all");
        string[] args = SearchTrained("quick", trained, output, population: 2, generations: 1, "--finetune-epochs", "1", "--finetune-images", "all");
        var r = FormerProcess.Run(args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        // The supernet held out 40 of the 160 images; the fine-tuning sees all 160, the training of the default 120.
        Assert.Contains("epoch(s) on 160 images", r.StdErr);
        using (var doc = JsonDocument.Parse(r.StdOut))
        {
            var best = doc.RootElement.GetProperty("best");
            Assert.Equal(JsonValueKind.Null, best.GetProperty("val_acc").ValueKind);
            Assert.InRange(best.GetProperty("test_acc").GetDouble(), 0, 1);
        }
        // The summary without a held-out score is read back by --resume; a resume on the training images alone is refused.
        var again = FormerProcess.Run([.. args, "--resume"]);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(r.StdOut, again.StdOut);
        var other = FormerProcess.Run([.. args.Select(a => a == "all" ? "train" : a), "--resume"]);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("--finetune-images all, not train", other.StdErr);

        var held = FormerProcess.Run(SearchTrained("quick", trained, Path.Combine(_dir, "train"), population: 2, generations: 1, "--finetune-epochs", "1"));
        Assert.True(held.ExitCode == 0, held.StdErr);
        Assert.Contains("epoch(s) on 120 images", held.StdErr);
        using var heldDoc = JsonDocument.Parse(held.StdOut);
        Assert.InRange(heldDoc.RootElement.GetProperty("best").GetProperty("val_acc").GetDouble(), 0, 1);
    }

    [Fact]
    public void Rerank_fine_tunes_the_best_candidates_and_the_best_after_it_wins()
    {
        string trained = TrainBurgerSupernet();
        string output = Path.Combine(_dir, "reranked");
        string[] args = SearchTrained("quick", trained, output, population: 4, generations: 2, "--rerank-top", "3", "--rerank-epochs", "2", "--finetune-epochs", "0");
        var r = FormerProcess.Run(args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var scores = doc.RootElement.GetProperty("rerank").EnumerateArray().ToArray();
        Assert.Equal(3, scores.Length);
        // The candidates in the search's order (best inherited score first), each fine-tuned the epochs asked (160 images,
        // 40 held out, 120 in batches of 128: one step an epoch).
        var inherited = scores.Select(c => c.GetProperty("inherited_val_acc").GetDouble()).ToArray();
        Assert.Equal(inherited.OrderDescending(), inherited);
        for (int i = 0; i < 3; i++)
        {
            var last = File.ReadLines(Path.Combine(output, "rerank", $"{i:D2}", "metrics.jsonl")).Last();
            Assert.Equal(2, JsonDocument.Parse(last).RootElement.GetProperty("epoch").GetInt32());
        }
        // The winner is the best after fine-tuning (the first of equals), and its summary is that candidate's.
        var tuned = scores.Select(c => c.GetProperty("finetuned_val_acc").GetDouble()).ToArray();
        int winner = Array.IndexOf(tuned, tuned.Max());
        Assert.NotEqual(0, winner); // with these seeds the re-rank changes the winner, so the test sees it happen
        var best = doc.RootElement.GetProperty("best");
        Assert.Equal(scores[winner].GetProperty("key").GetString(), best.GetProperty("key").GetString());
        Assert.Equal(scores[winner].GetProperty("inherited_val_acc").GetDouble(), best.GetProperty("inherited_val_acc").GetDouble());
        // A resumed run reuses the fine-tuned candidates and prints the same summary.
        var again = FormerProcess.Run([.. args, "--resume"]);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(r.StdOut, again.StdOut);
    }

    [Fact]
    public void Rerank_from_scratch_trains_the_best_of_each_set_of_sizes_from_fresh_weights_and_the_best_after_it_wins()
    {
        string trained = TrainBurgerSupernet();
        string output = Path.Combine(_dir, "reranked-scratch");
        string[] args = SearchTrained("quick", trained, output, population: 6, generations: 2,
            "--rerank-top", "3", "--rerank-from", "scratch", "--rerank-epochs", "2", "--finetune-epochs", "0");
        var r = FormerProcess.Run(args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("3 candidates of distinct sizes 2 epoch(s) each from fresh weights, scored on 40 held-out images", r.StdErr);
        Assert.Equal("scratch", JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "search.json"))).RootElement.GetProperty("--rerank-from").GetString());
        using var doc = JsonDocument.Parse(r.StdOut);
        var scores = doc.RootElement.GetProperty("rerank").EnumerateArray().ToArray();
        Assert.Equal(3, scores.Length);

        // What the search scored, read back: every candidate's inherited score and sizes (depth, width and ratio of each stage).
        using var study = FormerSearch.Studies.Study.OpenExisting(Path.Combine(output, "study.sqlite"));
        var scored = study.Candidates().Where(c => c.ValidationAccuracy is not null).ToList();
        static string Sizes(string key) => string.Join(";", key[(key.IndexOf(':') + 1)..].Split(';')
            .Where(e => e.StartsWith("stage", StringComparison.Ordinal) && (e.Contains(".depth=") || e.Contains(".width=") || e.Contains(".ratio="))
                && !e.Contains(".sub", StringComparison.Ordinal)));
        var keys = scores.Select(c => c.GetProperty("key").GetString()!).ToArray();
        var inherited = scores.Select(c => c.GetProperty("inherited_val_acc").GetDouble()).ToArray();
        // Distinct sizes, best inherited score first, each the best scored candidate of its sizes, and no set of sizes left
        // out whose best scored above the last one taken.
        Assert.Equal(3, keys.Select(Sizes).Distinct().Count());
        Assert.Equal(inherited.OrderDescending(), inherited);
        foreach (var (key, accuracy) in keys.Zip(inherited))
            Assert.Equal(accuracy, scored.Where(c => Sizes(c.Key) == Sizes(key)).Max(c => c.ValidationAccuracy!.Value));
        Assert.DoesNotContain(scored, c => !keys.Select(Sizes).Contains(Sizes(c.Key)) && c.ValidationAccuracy > inherited[^1]);

        for (int i = 0; i < 3; i++)
        {
            // Trained with train's recipe: its first epoch (one step here) warms up from 1e-6, where fine-tuning starts at 5e-4.
            var lines = File.ReadLines(Path.Combine(output, "rerank", $"{i:D2}", "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            Assert.Equal(2, lines[^1].GetProperty("epoch").GetInt32());
            Assert.Equal(1e-6, lines[0].GetProperty("lr").GetDouble(), 1e-12);
        }
        var trainedScores = scores.Select(c => c.GetProperty("scratch_val_acc").GetDouble()).ToArray();
        int winner = Array.IndexOf(trainedScores, trainedScores.Max());
        Assert.Equal(keys[winner], doc.RootElement.GetProperty("best").GetProperty("key").GetString());
        var again = FormerProcess.Run([.. args, "--resume"]);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(r.StdOut, again.StdOut);
    }

    [Fact]
    public void The_thorough_fine_tuning_is_train_from_the_inherited_weights_with_deits_mixing_and_drop_path()
    {
        string trained = TrainBurgerSupernet();
        string output = Path.Combine(_dir, "thorough");
        var r = FormerProcess.Run(SearchTrained("thorough", trained, output, population: 2, generations: 1, "--finetune-epochs", "2"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        string best = Path.Combine(output, "best");
        string[] fromInherited = ["train", "--arch", Path.Combine(best, "model.arch.json"), "--init", Path.Combine(best, "inherited.safetensors"),
            "--dataset", _spec, "--val-size", "0", "--epochs", "2", "--lr", "5e-4", "--warmup-epochs", "0", "--random-erasing", "0.25", "--replicas", "2",
            "--threads", "1", "--no-progress"];
        var mixed = FormerProcess.Run([.. fromInherited, "--mixup", "0.8", "--cutmix", "1.0", "--drop-path", "0.1", "--output", Path.Combine(_dir, "mixed")]);
        Assert.True(mixed.ExitCode == 0, mixed.StdErr);
        var plain = FormerProcess.Run([.. fromInherited, "--output", Path.Combine(_dir, "plain")]);
        Assert.True(plain.ExitCode == 0, plain.StdErr);
        double Loss(string weights)
        {
            var eval = FormerProcess.Run("eval", "--weights", weights, "--dataset", _spec, "--json", "--threads", "1");
            Assert.True(eval.ExitCode == 0, eval.StdErr);
            return JsonDocument.Parse(eval.StdOut).RootElement.GetProperty("loss").GetDouble();
        }
        // The preset's recipe written out as `former train` options: the same evaluation loss to the last bit; without the mixing and drop path another.
        double searched = Loss(Path.Combine(best, "model.safetensors"));
        Assert.Equal(Loss(Path.Combine(_dir, "mixed", "model.safetensors")), searched);
        Assert.NotEqual(Loss(Path.Combine(_dir, "plain", "model.safetensors")), searched);
        // The summary's test score is the fine-tuned weights', not the inherited ones'.
        var test = FormerProcess.Run("eval", "--weights", Path.Combine(best, "model.safetensors"), "--split", "test", "--json", "--threads", "1");
        Assert.True(test.ExitCode == 0, test.StdErr);
        Assert.Equal(JsonDocument.Parse(r.StdOut).RootElement.GetProperty("best").GetProperty("test_acc").GetDouble(),
            JsonDocument.Parse(test.StdOut).RootElement.GetProperty("top1").GetDouble());
        var recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "search.json"))).RootElement;
        Assert.Equal(("0.8", "1", "0.1"), (recorded.GetProperty("fine-tuning mixup").GetString(), recorded.GetProperty("fine-tuning cutmix").GetString(),
            recorded.GetProperty("fine-tuning drop path").GetString()));
    }

    [Theory]
    [InlineData("--rerank-top", "-1")]
    [InlineData("--rerank-epochs", "0")]
    [InlineData("--rerank-from", "supernet")]
    [InlineData("--space", "nasnet")]
    [InlineData("--preset", "huge")]
    [InlineData("--sampler", "greedy")]
    [InlineData("--algorithm", "annealing")]
    [InlineData("--budget-macs", "ten")]
    [InlineData("--budget-macs", "1")]
    [InlineData("--finetune-epochs", "-1")]
    [InlineData("--finetune-images", "test")]
    [InlineData("--population", "1")]
    [InlineData("--replicas", "0")]
    [InlineData("--replicas", "65")]
    public void Bad_options_are_one_sentence_and_exit_code_2(string option, string value)
    {
        var r = FormerProcess.Run("search", option, value, "--dataset", _spec, "--val-size", "40", "--output", Path.Combine(_dir, "bad"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
