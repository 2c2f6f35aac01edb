using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Spaces;

/// <summary>
/// The choices of a <see cref="BurgerSpace"/> stage (<c>s</c> from 0, written from 1), by name and value type, and
/// their groups. Sub-blocks <c>k</c> are 0–2 (written 1–3), edges in <see cref="BurgerFormerMesoConfig.EdgeKeys"/> order.
/// </summary>
public static class BurgerChoices
{
    /// <summary>The group of depths, widths and ratios.</summary>
    public const string MacroGroup = "macro";

    /// <summary>The group of each sub-block's op, norm, norm position and activation.</summary>
    public const string MicroGroup = "micro";

    /// <summary>The group of the residual edges.</summary>
    public const string MesoGroup = "meso";

    /// <summary>Stage <paramref name="stage"/>'s blocks: <c>stage{s+1}.depth</c>.</summary>
    public static ChoiceKey<int> Depth(int stage) => ChoiceKey.Integer($"stage{stage + 1}.depth");

    /// <summary>Stage <paramref name="stage"/>'s channels: <c>stage{s+1}.width</c>.</summary>
    public static ChoiceKey<int> Width(int stage) => ChoiceKey.Integer($"stage{stage + 1}.width");

    /// <summary>Stage <paramref name="stage"/>'s expansion of the middle sub-block: <c>stage{s+1}.ratio</c>.</summary>
    public static ChoiceKey<int> Ratio(int stage) => ChoiceKey.Integer($"stage{stage + 1}.ratio");

    /// <summary>A sub-block's op (official names, <c>skip</c> … <c>spatial_mlp</c>): <c>stage{s+1}.sub{k+1}.op</c>.</summary>
    public static ChoiceKey<TokenMixerKind> Op(int stage, int sub) =>
        new(SubName(stage, sub, "op"), text => BurgerFormerVocabulary.ParseOp(text) ?? throw Unknown("op", text), BurgerFormerVocabulary.Name);

    /// <summary>Where a sub-block's norm sits (<c>pre</c>, <c>post</c>): <c>stage{s+1}.sub{k+1}.norm_pos</c>.</summary>
    public static ChoiceKey<BurgerNormPosition> NormPosition(int stage, int sub) =>
        new(SubName(stage, sub, "norm_pos"), text => text switch
        {
            "pre" => BurgerNormPosition.Pre,
            "post" => BurgerNormPosition.Post,
            _ => throw Unknown("norm position", text),
        }, position => position == BurgerNormPosition.Pre ? "pre" : "post");

    /// <summary>A sub-block's norm (<c>BN</c>, <c>GN</c>, <c>LN</c>): <c>stage{s+1}.sub{k+1}.norm</c>.</summary>
    public static ChoiceKey<NormKind> Norm(int stage, int sub) =>
        new(SubName(stage, sub, "norm"), text => BurgerFormerVocabulary.ParseNorm(text) ?? throw Unknown("norm", text), BurgerFormerVocabulary.Name);

    /// <summary>A sub-block's last activation (<c>skip</c>, <c>relu6</c>, <c>gelu</c>, <c>silu</c>): <c>stage{s+1}.sub{k+1}.act</c>.</summary>
    public static ChoiceKey<ActivationKind> Activation(int stage, int sub) =>
        new(SubName(stage, sub, "act"), text => BurgerFormerVocabulary.ParseActivation(text) ?? throw Unknown("activation", text), BurgerFormerVocabulary.Name);

    /// <summary>Whether residual edge <paramref name="edge"/> is present (<c>skip</c>) or not (<c>none</c>): <c>stage{s+1}.edge.J->I</c>.</summary>
    public static ChoiceKey<bool> Edge(int stage, int edge) =>
        new($"stage{stage + 1}.edge.{BurgerFormerMesoConfig.EdgeKeys[edge]}", text => text switch
        {
            "skip" => true,
            "none" => false,
            _ => throw Unknown("edge", text),
        }, present => present ? "skip" : "none");

    private static string SubName(int stage, int sub, string what) => $"stage{stage + 1}.sub{sub + 1}.{what}";

    private static FormatException Unknown(string what, string text) => new($"'{text}' is not a BurgerFormer {what}.");
}
