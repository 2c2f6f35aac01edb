using System.Diagnostics;
using System.Text.Json;
using FormerSearch.Engine.IO;
using FormerSearch.Inference;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// Image folders through the command line: <c>data export</c> writes one from a uint8 .npy data set, <c>train</c>, <c>eval</c>,
/// <c>predict</c> and <c>search</c> read it, bad folders and files are one sentence and exit 2, two runs build the cache at once.
/// </summary>
public sealed class ImageFolderCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-folder-cli-").FullName;
    private readonly string _cache;

    public ImageFolderCommandTests()
    {
        _cache = Dir("cache");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Dir(string name) => Path.Combine(_dir, name);

    // A uint8 NCHW data set of `count` h×w grey images in 3 classes (each class its own brightness, so a model can learn it),
    // written as an image folder with train/ and test/ by `former data export`.
    private string Folder(string name, int count = 30, int h = 28, int w = 28)
    {
        var pixels = new byte[count * h * w];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            for (int p = 0; p < h * w; p++) pixels[i * h * w + p] = (byte)(40 + 80 * labels[i] + (p * 7 + i) % 30);
        }
        Npy.SaveBytes(Dir($"{name}-x.npy"), pixels, count, 1, h, w);
        NpyFiles.WriteInt64(Dir($"{name}-y.npy"), labels);
        var r = FormerProcess.Run("data", "export", "--dataset", $"npy:{Dir($"{name}-x.npy")},{Dir($"{name}-y.npy")}", "--output", Dir(name), "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(count, doc.RootElement.GetProperty("train_images").GetInt32());
        return Dir(name);
    }

    [Fact]
    public void Train_eval_and_predict_on_a_folder_need_only_the_weights_afterwards()
    {
        string folder = Folder("pets");
        Assert.Equal(["0", "1", "2"], Directory.GetDirectories(Path.Combine(folder, "train")).Select(Path.GetFileName).Order());
        var train = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", $"folder:{folder}", "--max-steps", "3", "--batch-size", "10",
            "--cache-dir", _cache, "--output", Dir("run"), "--threads", "1", "--json");
        Assert.True(train.ExitCode == 0, train.StdErr);
        Assert.DoesNotContain("decoding", train.StdErr); // --json: only warnings on stderr
        using var trained = JsonDocument.Parse(train.StdOut);
        Assert.Equal(0, trained.RootElement.GetProperty("skipped_images").GetInt32());
        string weights = trained.RootElement.GetProperty("weights").GetString()!;

        var card = ModelCard.Read(weights);
        Assert.Equal("poolformer_mini", card.Model);
        Assert.Equal(["0", "1", "2"], card.ClassNames);
        Assert.Equal((1, 28, 28), (card.Input!.Value.Channels, card.Input.Value.Height, card.Input.Value.Width));
        Assert.Equal($"folder:{folder}", card.Dataset);
        Assert.Single(card.Mean!);

        var eval = FormerProcess.Run("eval", "--weights", weights, "--dataset", $"folder:{folder}", "--cache-dir", _cache, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        using (var doc = JsonDocument.Parse(eval.StdOut))
        {
            Assert.Equal("poolformer_mini", doc.RootElement.GetProperty("model").GetString());
            Assert.Equal(30, doc.RootElement.GetProperty("images").GetInt32());
        }

        var csv = FormerProcess.Run("predict", "--weights", weights, "--input", Path.Combine(folder, "test"), "--top-k", "2");
        Assert.True(csv.ExitCode == 0, csv.StdErr);
        var lines = csv.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("file,class_1,prob_1,class_2,prob_2", lines[0]);
        Assert.Equal(31, lines.Length);
        var first = lines[1].Split(',');
        Assert.EndsWith(Path.Combine("test", "0", "000000.png"), first[0]);
        Assert.Contains(first[1], new[] { "0", "1", "2" });
        Assert.InRange(float.Parse(first[2], System.Globalization.CultureInfo.InvariantCulture), 1f / 3, 1f);

        string one = Path.Combine(folder, "test", "1", "000001.png");
        var json = FormerProcess.Run("predict", "--weights", weights, "--input", one, one, "--output", Dir("p.json"), "--json");
        Assert.True(json.ExitCode == 0, json.StdErr);
        using var predictions = JsonDocument.Parse(File.ReadAllText(Dir("p.json")));
        Assert.Equal(2, predictions.RootElement.GetArrayLength());
        var top = predictions.RootElement[0].GetProperty("top");
        Assert.Equal(3, top.GetArrayLength());
        Assert.Equal(1.0, top.EnumerateArray().Sum(t => t.GetProperty("probability").GetDouble()), 4);
    }

    [Fact]
    public void Bad_folders_and_files_are_one_sentence_and_exit_2()
    {
        string folder = Folder("bad", count: 9);
        Directory.CreateDirectory(Dir("empty"));
        Directory.CreateDirectory(Dir("one/cat"));
        File.Copy(Path.Combine(folder, "train", "0", "000000.png"), Dir("one/cat/a.png"));
        Directory.CreateDirectory(Path.Combine(folder, "train", "3"));
        foreach (var (what, spec, expected) in new[]
        {
            ("not a directory", $"folder:{Path.Combine(folder, "train", "0", "000000.png")}", "is a file, not a directory"),
            ("empty root", $"folder:{Dir("empty")}", "has no class sub-folders"),
            ("one class", $"folder:{Dir("one")}", "a classifier needs at least two"),
            ("empty class folder", $"folder:{Path.Combine(folder, "train")}", "a class folder with no image file ('3')"),
        })
        {
            var r = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", spec, "--max-steps", "1", "--test-size", "2",
                "--cache-dir", _cache, "--output", Dir("never"));
            Assert.True(r.ExitCode == 2, $"{what}: exit {r.ExitCode}: {r.StdErr}");
            var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1 && lines[0].Contains(expected), $"{what}: {r.StdErr}");
        }
        Directory.Delete(Path.Combine(folder, "train", "3"));

        // Unreadable files: skipped with a warning naming each and counted, or refused with --strict-images.
        File.WriteAllBytes(Path.Combine(folder, "train", "1", "zero.png"), []);
        File.WriteAllText(Path.Combine(folder, "train", "2", "notes.JPG"), "not an image");
        var skipped = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", $"folder:{folder}", "--max-steps", "1", "--batch-size", "4",
            "--cache-dir", _cache, "--output", Dir("skip"), "--json");
        Assert.True(skipped.ExitCode == 0, skipped.StdErr);
        Assert.Contains("warning: skipping '", skipped.StdErr);
        Assert.Contains("zero.png': it is empty (0 bytes)", skipped.StdErr);
        using (var doc = JsonDocument.Parse(skipped.StdOut)) Assert.Equal(2, doc.RootElement.GetProperty("skipped_images").GetInt32());
        var strict = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", $"folder:{folder}", "--max-steps", "1", "--strict-images",
            "--cache-dir", _cache, "--output", Dir("strict"));
        Assert.Equal(2, strict.ExitCode);
        var error = Assert.Single(strict.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("former: ", StringComparison.Ordinal));
        Assert.Contains("zero.png' cannot be read: it is empty (0 bytes) (and 1 more unreadable files", error);
        Assert.Contains("--strict-images", error);
        var noTest = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", $"folder:{Path.Combine(folder, "train")}", "--max-steps", "1", "--cache-dir", _cache);
        Assert.Equal(2, noTest.ExitCode);
        Assert.Contains("--test-size N", noTest.StdErr);
        var format = FormerProcess.Run("predict", "--weights", Path.Combine(Dir("skip"), "model.safetensors"), "--input", folder, "--format", "xml");
        Assert.Equal(2, format.ExitCode);
        Assert.Contains("--format 'xml' is unknown", format.StdErr);
    }

    [Fact]
    public void Two_runs_building_the_same_cache_at_once_both_succeed()
    {
        string folder = Folder("twice", count: 60);
        var runs = Enumerable.Range(0, 2).Select(i => FormerProcess.Start(null, "train", "--model", "poolformer_mini", "--dataset", $"folder:{folder}",
            "--max-steps", "1", "--batch-size", "8", "--cache-dir", _cache, "--output", Dir($"twice{i}"), "--threads", "1")).ToList();
        foreach (var p in runs)
        {
            string err = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "a run did not finish");
            Assert.True(p.ExitCode == 0, err);
            p.Dispose();
        }
        var caches = Directory.GetFiles(Path.Combine(_cache, "images"));
        Assert.Single(caches); // the training folder's; no temporary file left
        var again = FormerProcess.Run("train", "--model", "poolformer_mini", "--dataset", $"folder:{folder}", "--max-steps", "1", "--batch-size", "8",
            "--cache-dir", _cache, "--output", Dir("third"), "--threads", "1");
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Contains("reading the decoded images", again.StdErr);
    }

    [Fact]
    public void Search_runs_end_to_end_on_an_image_folder()
    {
        string folder = Folder("search", count: 60);
        var r = FormerProcess.Run("search", "--preset", "quick", "--dataset", $"folder:{folder}", "--val-size", "12", "--cache-dir", _cache,
            "--output", Dir("search-run"), "--threads", "2", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(0, doc.RootElement.GetProperty("data").GetProperty("skipped_images").GetInt32());
        var card = ModelCard.Read(doc.RootElement.GetProperty("best").GetProperty("weights").GetString()!);
        Assert.NotNull(card.Architecture);
        Assert.Equal(["0", "1", "2"], card.ClassNames);
        var predict = FormerProcess.Run("predict", "--weights", doc.RootElement.GetProperty("best").GetProperty("weights").GetString()!,
            "--input", Path.Combine(folder, "test", "2"));
        Assert.True(predict.ExitCode == 0, predict.StdErr);
        Assert.Equal(21, predict.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
