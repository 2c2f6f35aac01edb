using System.Text.Json;

namespace FormerSearch.Cli.Tests;

public sealed class BenchSupernetCommandTests
{
    private const string Smallest = """
        {"space": "autoformer", "preset": "mini", "choices": {"depth": 4, "embed_dim": 64,
         "layer0.mlp_ratio": 2, "layer0.heads": 2, "layer1.mlp_ratio": 2, "layer1.heads": 2,
         "layer2.mlp_ratio": 2, "layer2.heads": 2, "layer3.mlp_ratio": 2, "layer3.heads": 2}}
        """;

    [Fact]
    public void Json_has_both_rates_and_their_ratio()
    {
        string path = Path.Combine(Path.GetTempPath(), $"former-arch-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Smallest);
        try
        {
            var r = FormerProcess.Run("bench", "supernet", "--space", "autoformer", "--arch", path, "--batch-size", "2", "--min-seconds", "0.05", "--threads", "1", "--json");
            Assert.True(r.ExitCode == 0, r.StdErr);
            using var doc = JsonDocument.Parse(r.StdOut);
            var root = doc.RootElement;
            Assert.Equal("mini", root.GetProperty("preset").GetString());
            Assert.StartsWith("autoformer/mini:depth=4;embed_dim=64;", root.GetProperty("architecture").GetString());
            double sup = root.GetProperty("supernet_images_per_s").GetDouble(), alone = root.GetProperty("standalone_images_per_s").GetDouble();
            Assert.True(sup > 0 && alone > 0);
            Assert.True(root.GetProperty("ratio").GetDouble() > 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--space", "nas201")]
    [InlineData("--space", "autoformer", "--preset", "huge")]
    [InlineData("--space", "autoformer", "--arch", "/nonexistent/arch.json")]
    [InlineData("--space", "autoformer", "--batch-size", "0")]
    [InlineData("--space", "autoformer", "--min-seconds", "-1")]
    [InlineData("--arch", "x.json")]
    public void Bad_input_is_one_sentence_and_exit_code_2(params string[] args)
    {
        var r = FormerProcess.Run(["bench", "supernet", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public void An_architecture_outside_the_space_names_the_choice()
    {
        string path = Path.Combine(Path.GetTempPath(), $"former-arch-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Smallest.Replace("\"layer1.heads\": 2", "\"layer1.heads\": 9", StringComparison.Ordinal));
        try
        {
            var r = FormerProcess.Run("bench", "supernet", "--space", "autoformer", "--arch", path);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("'layer1.heads' = '9'", r.StdErr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
