using System.Text.Json;

namespace FormerSearch.Cli.Tests;

public sealed class BenchGemmCommandTests
{
    [Fact]
    public void Json_output_has_the_documented_shape()
    {
        var r = FormerProcess.Run("bench", "gemm", "--size", "96", "--threads", "1", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        string provider = doc.RootElement.GetProperty("default").GetString()!;
        Assert.Contains(provider, new[] { "openblas", "managed" });
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, e => e.GetProperty("provider").GetString() == "managed");
        foreach (var e in results)
        {
            Assert.Equal(96, e.GetProperty("size").GetInt32());
            Assert.Equal(1, e.GetProperty("threads").GetInt32());
            Assert.True(e.GetProperty("gflops").GetDouble() > 0);
        }
    }

    [Fact]
    public void Forcing_the_managed_gemm_makes_it_the_default()
    {
        var r = FormerProcess.Run(new Dictionary<string, string> { ["FORMER_BLAS"] = "managed" }, "bench", "gemm", "--size", "32", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal("managed", doc.RootElement.GetProperty("default").GetString());
    }

    [Theory]
    [InlineData("--size", "0")]
    [InlineData("--threads", "0")]
    [InlineData("--size", "big")]
    [InlineData("--no-such-option", "1")]
    public void Bad_input_is_one_sentence_and_exit_code_2(string option, string value)
    {
        var r = FormerProcess.Run("bench", "gemm", option, value);
        Assert.Equal(2, r.ExitCode);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("former: ", lines[0]);
    }
}
