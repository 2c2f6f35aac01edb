using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// <c>former extract</c> writes the model <c>supernet eval</c> scored: for a batch-norm subnet of each space that has batch norm,
/// <c>former eval</c> of the extracted file prints the same top-1 as <c>supernet eval</c> with its default re-estimation, and
/// <c>--no-recalibrate-bn</c> keeps the supernet's own statistics (other numbers). <c>eval --split val</c> is given nothing but
/// the weights: their model card names the subnet, the data set and the supernet's held-out split; a flag contradicting it is refused.
/// </summary>
public sealed class ExtractCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-extract-").FullName;
    private readonly string _spec;

    public ExtractCommandTests() => _spec = NpyFiles.RandomDataset(_dir, 120, seed: 11, step: 7);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static FormerProcess.Result Ok(FormerProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, r.StdErr);
        return r;
    }

    private static double Top1(FormerProcess.Result r)
    {
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement.GetProperty("top1").GetDouble();
    }

    private void TrainSupernet(string space)
    {
        Ok(FormerProcess.Run("supernet", "train", "--space", space, "--sampler", "spos", "--dataset", _spec, "--val-size", "40", "--max-steps", "2",
            "--batch-size", "16", "--seed", "3", "--output", P("sn"), "--threads", "1", "--no-progress"));
    }

    [Theory]
    [InlineData("glit")]   // the largest GLiT subnet is all local heads: batch norm after each depthwise convolution
    [InlineData("burger")] // the largest BurgerFormer subnet has BN sub-blocks
    public void Eval_of_the_extracted_model_prints_the_top1_supernet_eval_printed(string space)
    {
        Ok(FormerProcess.Run("space", "sample", space, "--largest", "--output", P("archs")));
        string arch = P("archs/largest.json");
        TrainSupernet(space);

        double inherited = Top1(Ok(FormerProcess.Run("supernet", "eval", "--supernet", P("sn"), "--arch", arch, "--json", "--threads", "1")));
        var extract = Ok(FormerProcess.Run("extract", "--supernet", P("sn"), "--arch", arch, "--output", P("best.safetensors"), "--threads", "1"));
        Assert.Contains("re-estimated the subnet's batch-norm statistics on 20 batches", extract.StdErr);
        double standalone = Top1(Ok(FormerProcess.Run("eval", "--weights", P("best.safetensors"), "--split", "val", "--json", "--threads", "1")));
        Assert.Equal(inherited, standalone);
        // Options that agree with the card change nothing; one that contradicts it is one sentence naming both values.
        Assert.Equal(standalone, Top1(Ok(FormerProcess.Run("eval", "--arch", P("best.arch.json"), "--weights", P("best.safetensors"), "--dataset", _spec,
            "--split", "val", "--val-size", "40", "--seed", "3", "--json", "--threads", "1"))));
        foreach (var (option, value, carded) in new[] { ("--val-size", "30", "40"), ("--seed", "4", "3") })
        {
            var contradiction = FormerProcess.Run("eval", "--weights", P("best.safetensors"), "--split", "val", option, value, "--threads", "1");
            Assert.Equal(2, contradiction.ExitCode);
            Assert.Contains($"{option} {value} contradicts the model card of '{P("best.safetensors")}', which says {carded};", contradiction.StdErr);
        }

        // The old flag is still accepted and means the default; --no-recalibrate-bn keeps the supernet's statistics.
        Ok(FormerProcess.Run("extract", "--supernet", P("sn"), "--arch", arch, "--output", P("old.safetensors"), "--recalibrate-bn", "--threads", "1"));
        var kept = Ok(FormerProcess.Run("extract", "--supernet", P("sn"), "--arch", arch, "--output", P("kept.safetensors"), "--no-recalibrate-bn", "--threads", "1"));
        Assert.DoesNotContain("re-estimated", kept.StdErr);
        var recalibrated = SafeTensors.Load(P("best.safetensors"));
        var old = SafeTensors.Load(P("old.safetensors"));
        var supernets = SafeTensors.Load(P("kept.safetensors"));
        var means = recalibrated.Keys.Where(k => k.EndsWith("running_mean", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(means);
        Assert.All(means, k => Assert.Equal(recalibrated[k].ToArray(), old[k].ToArray()));
        Assert.Contains(means, k => !recalibrated[k].ToArray().SequenceEqual(supernets[k].ToArray()));
        double keptTop1 = Top1(Ok(FormerProcess.Run("supernet", "eval", "--supernet", P("sn"), "--arch", arch, "--bn-batches", "0", "--json", "--threads", "1")));
        Assert.Equal(keptTop1, Top1(Ok(FormerProcess.Run("eval", "--weights", P("kept.safetensors"), "--split", "val", "--json", "--threads", "1"))));

        var both = FormerProcess.Run("extract", "--supernet", P("sn"), "--arch", arch, "--output", P("x.safetensors"), "--recalibrate-bn", "--no-recalibrate-bn");
        Assert.Equal(2, both.ExitCode);
    }

    [Fact]
    public void A_subnet_without_batch_norm_is_extracted_without_its_data_set()
    {
        Ok(FormerProcess.Run("space", "sample", "autoformer", "--smallest", "--output", P("archs")));
        TrainSupernet("autoformer");
        File.Delete(P("x.npy"));
        var extract = Ok(FormerProcess.Run("extract", "--supernet", P("sn"), "--arch", P("archs/smallest.json"), "--output", P("af.safetensors")));
        Assert.DoesNotContain("re-estimated", extract.StdErr);
        Assert.True(File.Exists(P("af.safetensors")));
    }
}
