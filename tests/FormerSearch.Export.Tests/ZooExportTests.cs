using FormerSearch.Models;

namespace FormerSearch.Export.Tests;

/// <summary>
/// Every registered model up to <see cref="MaxParams"/> parameters, exported and run by ONNX Runtime at a small input
/// (64×64, or the model's own when smaller), batch 1 and 3 through one dynamic-batch file. The bound keeps the suite fast
/// and still holds the smallest model of every family and every MetaFormer mixer combination (checked below).
/// </summary>
public sealed class ZooExportTests
{
    private const long MaxParams = 17_000_000;

    public static TheoryData<string> SmallModels() => [.. ModelRegistry.Entries.Where(IsSmall).Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(SmallModels))]
    public void Onnx_runtime_gives_the_engines_logits(string name)
    {
        var model = ModelRegistry.Create(name, Options(ModelRegistry.Get(name)));
        OnnxParity.Perturb(model, seed: 1);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void The_tested_models_cover_every_family()
    {
        var tested = ModelRegistry.Entries.Where(IsSmall).Select(e => e.Family).ToHashSet();
        Assert.Equal(ModelRegistry.Entries.Select(e => e.Family).ToHashSet(), tested);
        Assert.Contains(ModelRegistry.Get("metaformer_pppf_s12"), ModelRegistry.Entries.Where(IsSmall));
    }

    private static bool IsSmall(ModelEntry entry) => entry.Profile(Options(entry)).Params <= MaxParams;

    private static ModelOptions Options(ModelEntry entry)
    {
        var input = entry.DefaultInput.Height <= 64 ? entry.DefaultInput : entry.DefaultInput with { Height = 64, Width = 64 };
        return ModelOptions.For(input, numClasses: 10) with { Seed = 3 };
    }
}
