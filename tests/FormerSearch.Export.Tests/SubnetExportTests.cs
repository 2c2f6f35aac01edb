using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Export.Tests;

/// <summary>
/// Random architectures of every search space's small presets, built as the standalone models <c>extract</c> gives and
/// exported: BurgerFormer's ops, norms, activations and edges, GLiT's head splits and conv1d kernels, AutoFormer's
/// widths, heads and relative positions all go through the tracer with no export code of their own.
/// </summary>
public sealed class SubnetExportTests
{
    public static TheoryData<string, string, ulong> Subnets()
    {
        var data = new TheoryData<string, string, ulong>();
        foreach (var (space, preset) in new[] { ("autoformer", "mini"), ("glit", "mini"), ("burger", "mini"), ("burger", "mini_residual"), ("burger", "mini_stem2") })
            foreach (ulong seed in new ulong[] { 1, 2, 3 })
                data.Add(space, preset, seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Subnets))]
    public void A_random_subnet_exports_with_the_engines_logits(string spaceName, string preset, ulong seed)
    {
        var space = SearchSpaces.Create(spaceName, preset);
        var architecture = space.Sample(new Generator(seed));
        var model = space.CreateModel(architecture, ModelOptions.For(space.DefaultInput, 10) with { Seed = seed });
        OnnxParity.Perturb(model, seed);
        OnnxParity.AssertMatches(model, batches: [1, 4]);
    }
}
