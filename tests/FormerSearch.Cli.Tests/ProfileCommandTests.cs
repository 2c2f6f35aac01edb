using System.Text.Json;

namespace FormerSearch.Cli.Tests;

public sealed class ProfileCommandTests
{
    [Fact]
    public void Json_has_the_documented_shape_and_the_layers_sum_to_the_totals()
    {
        var r = FormerProcess.Run("profile", "--model", "deit_tiny", "--input", "3x64x96", "--num-classes", "10", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal("deit_tiny", root.GetProperty("model").GetString());
        Assert.Equal([3, 64, 96], root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(10, root.GetProperty("num_classes").GetInt32());
        long parameters = 0, macs = 0;
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        foreach (var l in layers)
        {
            Assert.False(string.IsNullOrEmpty(l.GetProperty("name").GetString()));
            Assert.False(string.IsNullOrEmpty(l.GetProperty("kind").GetString()));
            Assert.True(l.GetProperty("output_shape").GetArrayLength() > 0);
            parameters += l.GetProperty("params").GetInt64();
            macs += l.GetProperty("macs").GetInt64();
        }
        Assert.Equal(root.GetProperty("params").GetInt64(), parameters);
        Assert.Equal(root.GetProperty("macs").GetInt64(), macs);
        // 4×6 patches + the class token; the head has 10 outputs.
        Assert.Contains(layers, l => l.GetProperty("name").GetString() == "pos_embed" && l.GetProperty("params").GetInt64() == 25 * 192);
        Assert.Contains(layers, l => l.GetProperty("name").GetString() == "head" && l.GetProperty("params").GetInt64() == 192 * 10 + 10);
    }

    [Fact]
    public void Default_input_gives_the_official_parameter_count()
    {
        var r = FormerProcess.Run("profile", "--model", "poolformer_s24", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(21_388_968, doc.RootElement.GetProperty("params").GetInt64());
        Assert.Equal([3, 224, 224], doc.RootElement.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    [Fact]
    public void The_table_shows_layers_and_totals()
    {
        var r = FormerProcess.Run("profile", "--model", "metaformer_pppa_s12");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("network.6.pos_embed", r.StdOut);
        Assert.Contains("14.04 M params", r.StdOut);
    }

    [Theory]
    [InlineData("--model", "poolformer_xxl")]
    [InlineData("--model", "deit_tiny", "--input", "3x225x224")]
    [InlineData("--model", "deit_tiny", "--input", "3x224")]
    [InlineData("--model", "deit_tiny", "--input", "0x224x224")]
    [InlineData("--model", "deit_tiny", "--num-classes", "0")]
    [InlineData("--input", "3x224x224")]
    public void Bad_input_is_one_sentence_and_exit_code_2(params string[] args)
    {
        var r = FormerProcess.Run(["profile", .. args]);
        Assert.Equal(2, r.ExitCode);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public void An_unknown_model_lists_the_known_ones()
    {
        var r = FormerProcess.Run("profile", "--model", "poolformer_xxl");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("poolformer_s12", r.StdErr);
        Assert.Contains("deit_base", r.StdErr);
    }
}
