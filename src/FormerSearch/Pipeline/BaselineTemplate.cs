using System.Collections.Concurrent;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Pipeline;

/// <summary>
/// A hand-designed model of the zoo as a shape that can be scaled: <see cref="Make"/> multiplies every stage's depth by one
/// factor (rounded, at least 1) and every width by another (rounded to the family's grain), keeping everything else —
/// mixers, cells, ratios, stems — as published. The families: PoolFormer and the MetaFormer baselines (widths in steps of
/// 8, attention stages in steps of their 32-wide heads), DeiT (3 heads, widths in steps of 12, heads a multiple of 4 wide; patches as <see cref="VitPatch"/>
/// says) and BurgerFormer (widths in steps of 8).
/// </summary>
/// <param name="Name">The registered model it starts from (<c>poolformer_s12</c>).</param>
/// <param name="Family">Its family, as the registry names it.</param>
/// <param name="Make">(depth factor, width factor) → the scaled model and a one-line description of its shape.</param>
public sealed record BaselineTemplate(string Name, string Family, Func<double, double, (ModelEntry Entry, string Description)> Make)
{
    // Base configurations by registered name, read once per process.
    private static readonly ConcurrentDictionary<string, IModelConfig> Configs = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The template of registered model <paramref name="name"/> for <paramref name="input"/> images.</summary>
    /// <exception cref="UserInputException">Unknown model, or one that is not a hand-designed PoolFormer, MetaFormer, DeiT or BurgerFormer (AutoFormer and GLiT models are searched ones).</exception>
    public static BaselineTemplate For(string name, ModelInput input)
    {
        var entry = ModelRegistry.Get(name);
        if (entry.Family == "BurgerFormer") return FromBurger(entry, BurgerFormerVariants.Official[entry.Name], input);
        if (entry.Family is not ("PoolFormer" or "MetaFormer" or "DeiT"))
            throw new UserInputException($"--baselines {name} is a {entry.Family} model, found by a search; the baselines are hand-designed PoolFormer, MetaFormer, DeiT and BurgerFormer models.");
        return Configs.GetOrAdd(entry.Name, _ => BuiltConfig(entry)) switch
        {
            PoolFormerConfig p => FromPoolFormer(entry, p, input),
            VitConfig v => FromVit(entry, v, input),
            _ => throw new UserInputException($"--baselines {name} cannot be scaled: its family {entry.Family} has no scaling rule."),
        };
    }

    // The registry keeps the configurations inside its factories; a model built once (10 classes) hands its configuration out.
    private static IModelConfig BuiltConfig(ModelEntry entry) => entry.Create(ModelOptions.For(entry.DefaultInput, 10)) switch
    {
        VisionModel<PoolFormerConfig> p => p.Config,
        VisionModel<VitConfig> v => v.Config,
        var other => throw new UserInputException($"--baselines {entry.Name} cannot be scaled: its family {entry.Family} ({other.GetType().Name}) has no scaling rule."),
    };

    /// <summary>
    /// DeiT's patch side at <paramref name="input"/>: the largest of 16, 8, 4 and 2 that divides both sides and leaves at least
    /// 7 patches a side — 16 at 224 (as published, 14×14 tokens), 4 at 28 (7×7, as the AutoFormer and GLiT mini spaces), 4 at 32.
    /// </summary>
    /// <exception cref="UserInputException">No such patch divides the image.</exception>
    public static int VitPatch(ModelInput input)
    {
        foreach (int p in new[] { 16, 8, 4, 2 })
            if (input.Height % p == 0 && input.Width % p == 0 && input.Height / p >= 7 && input.Width / p >= 7) return p;
        throw new UserInputException($"DeiT cannot be scaled to a {input} input: no patch of 16, 8, 4 or 2 pixels divides it into at least 7×7 patches.");
    }

    /// <summary><paramref name="value"/> rounded to a multiple of <paramref name="grain"/>, at least one grain.</summary>
    public static int RoundTo(double value, int grain) => Math.Max(grain, grain * (int)Math.Round(value / grain, MidpointRounding.AwayFromZero));

    /// <summary><paramref name="depth"/> × <paramref name="factor"/>, rounded, at least 1.</summary>
    public static int ScaleDepth(int depth, double factor) => Math.Max(1, (int)Math.Round(depth * factor, MidpointRounding.AwayFromZero));

    private static BaselineTemplate FromPoolFormer(ModelEntry entry, PoolFormerConfig config, ModelInput input) => new(entry.Name, entry.Family, (d, w) =>
    {
        var scaled = config with
        {
            Depths = config.Depths.Select(n => ScaleDepth(n, d)).ToArray(),
            Widths = config.Widths.Select((c, i) => RoundTo(c * w, config.MixerOf(i) == TokenMixerKind.Attention ? config.AttentionHeadDim : 8)).ToArray(),
        };
        string name = entry.Name;
        return (new ModelEntry(name, entry.Family, input, o => new PoolFormer(scaled, o), o => PoolFormer.Profile(name, scaled, o), IsOfficial: false),
            $"depths {string.Join('-', scaled.Depths)}, widths {string.Join('-', scaled.Widths)}");
    });

    private static BaselineTemplate FromVit(ModelEntry entry, VitConfig config, ModelInput input)
    {
        int patch = VitPatch(input);
        return new(entry.Name, entry.Family, (d, w) =>
        {
            var scaled = config with { Depth = ScaleDepth(config.Depth, d), EmbedDim = RoundTo(config.EmbedDim * w, 4 * config.NumHeads), PatchSize = patch };
            string name = entry.Name;
            return (new ModelEntry(name, entry.Family, input, o => new Vit(scaled, o), o => Vit.Profile(name, scaled, o), IsOfficial: false),
                $"depth {scaled.Depth}, width {scaled.EmbedDim}, {scaled.NumHeads} heads, {patch}×{patch} patches");
        });
    }

    private static BaselineTemplate FromBurger(ModelEntry entry, BurgerFormerConfig config, ModelInput input) => new(entry.Name, entry.Family, (d, w) =>
    {
        var scaled = config with { Stages = config.Stages.Select(s => s with { Depth = ScaleDepth(s.Depth, d), Width = RoundTo(s.Width * w, 8) }).ToArray() };
        string name = entry.Name;
        return (new ModelEntry(name, entry.Family, input, o => new BurgerFormer(scaled, o), o => BurgerFormer.Profile(name, scaled, o), IsOfficial: false),
            $"depths {string.Join('-', scaled.Stages.Select(s => s.Depth))}, widths {string.Join('-', scaled.Widths)}, the cells of {entry.Name}");
    });
}
