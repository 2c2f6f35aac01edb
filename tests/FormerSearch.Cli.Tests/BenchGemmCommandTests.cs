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

    [Fact]
    public void An_inherited_avx2_core_type_is_replaced_by_avx512_kernels_where_the_cpu_has_them()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported) return;   // the rule only applies to AVX-512 CPUs
        var r = FormerProcess.Run(new Dictionary<string, string> { ["OPENBLAS_CORETYPE"] = "Haswell" }, "bench", "gemm", "--size", "64", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var openblas = doc.RootElement.GetProperty("results").EnumerateArray().First(e => e.GetProperty("provider").GetString() == "openblas");
        Assert.Contains(openblas.GetProperty("core").GetString(), new[] { "SkylakeX", "Cooperlake", "SapphireRapids" });

        var kept = FormerProcess.Run(new Dictionary<string, string> { ["FORMER_OPENBLAS_CORETYPE"] = "Haswell" }, "bench", "gemm", "--size", "64", "--json");
        using var keptDoc = JsonDocument.Parse(kept.StdOut);
        var keptCore = keptDoc.RootElement.GetProperty("results").EnumerateArray().First(e => e.GetProperty("provider").GetString() == "openblas");
        Assert.Equal("Haswell", keptCore.GetProperty("core").GetString());
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
