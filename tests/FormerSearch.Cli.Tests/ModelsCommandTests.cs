using System.Text.Json;

namespace FormerSearch.Cli.Tests;

public sealed class ModelsCommandTests
{
    [Fact]
    public void Json_lists_every_model_with_family_params_and_macs()
    {
        var r = FormerProcess.Run("models", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var models = doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        foreach (var name in new[] { "poolformer_s12", "poolformer_m48", "metaformer_ppff_s12", "deit_tiny", "deit_base" })
            Assert.True(models.ContainsKey(name), name);
        var s12 = models["poolformer_s12"];
        Assert.Equal("PoolFormer", s12.GetProperty("family").GetString());
        Assert.Equal(11_915_176, s12.GetProperty("params").GetInt64());
        Assert.Equal(1_812_267_008, s12.GetProperty("macs").GetInt64());
        Assert.Equal([3, 224, 224], s12.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(5_717_416, models["deit_tiny"].GetProperty("params").GetInt64());
    }

    [Fact]
    public void The_table_names_every_model()
    {
        var r = FormerProcess.Run("models");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("poolformer_s12", r.StdOut);
        Assert.Contains("deit_small", r.StdOut);
    }
}
