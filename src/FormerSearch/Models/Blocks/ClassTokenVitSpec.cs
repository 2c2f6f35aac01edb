using FormerSearch.Engine;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The sizes of a <see cref="ClassTokenVit"/> and how a family's official state dict names and orders it. The families
/// differ only in small ways, collected here side by side:
/// <list type="table">
/// <item><term>DeiT (timm)</term><description><c>cls_token</c>, <c>pos_embed</c>, <c>patch_embed</c>; head on the class token.</description></item>
/// <item><term>AutoFormer</term><description><c>pos_embed</c>, <c>cls_token</c>, <c>patch_embed_super</c>; head on the mean of the patch tokens (<c>--gp</c>).</description></item>
/// <item><term>GLiT</term><description><c>cls_token</c>, <c>pos_embed</c>, <c>patch_embed</c>; head on the class token.</description></item>
/// </list>
/// The order the two tokens are drawn from the generator is ours, not the official code's (its generator is not
/// ours); it is kept per family so that a seed gives the weights it gave before the families shared this skeleton.
/// </summary>
public sealed record ClassTokenVitSpec
{
    /// <summary>Token width.</summary>
    public required int EmbedDim { get; init; }

    /// <summary>Side of the square patches of the convolutional stem.</summary>
    public required int PatchSize { get; init; }

    /// <summary>Transformer blocks.</summary>
    public required int Depth { get; init; }

    /// <summary>Epsilon of the final LayerNorm.</summary>
    public required float NormEps { get; init; }

    /// <summary>State-dict name of the patch embedding. Default: <c>patch_embed</c> (timm); AutoFormer says <c>patch_embed_super</c>.</summary>
    public string PatchEmbedName { get; init; } = "patch_embed";

    /// <summary>The state dict lists <c>pos_embed</c> before <c>cls_token</c> (AutoFormer). Default: off, <c>cls_token</c> first (timm, GLiT).</summary>
    public bool PosEmbedListedFirst { get; init; }

    /// <summary><c>pos_embed</c> is drawn from the generator before <c>cls_token</c> (AutoFormer, GLiT). Default: off (DeiT).</summary>
    public bool PosEmbedDrawnFirst { get; init; }

    /// <summary>The head reads the mean of the patch tokens, the class token left out of the pool (AutoFormer's <c>--gp</c>). Default: off, the head reads the class token.</summary>
    public bool PoolPatchTokens { get; init; }

    /// <summary>DeiT's skeleton (timm's <c>VisionTransformer</c>).</summary>
    public static ClassTokenVitSpec ForDeit(int embedDim, int patchSize, int depth, float normEps) =>
        new() { EmbedDim = embedDim, PatchSize = patchSize, Depth = depth, NormEps = normEps };

    /// <summary>AutoFormer's skeleton (official <c>Vision_TransformerSuper</c> run with <c>--gp</c>).</summary>
    public static ClassTokenVitSpec ForAutoFormer(int embedDim, int patchSize, int depth, float normEps) => new()
    {
        EmbedDim = embedDim,
        PatchSize = patchSize,
        Depth = depth,
        NormEps = normEps,
        PatchEmbedName = "patch_embed_super",
        PosEmbedListedFirst = true,
        PosEmbedDrawnFirst = true,
        PoolPatchTokens = true,
    };

    /// <summary>GLiT's skeleton (official <c>RetrainTransformer</c>), shared by its supernet.</summary>
    public static ClassTokenVitSpec ForGlit(int embedDim, int patchSize, int depth, float normEps) =>
        new() { EmbedDim = embedDim, PatchSize = patchSize, Depth = depth, NormEps = normEps, PosEmbedDrawnFirst = true };

    /// <summary>Rows and columns of patches of an <paramref name="height"/>×<paramref name="width"/> image.</summary>
    /// <exception cref="UserInputException">The image is not a whole number of patches.</exception>
    public (int GridH, int GridW) PatchGrid(int height, int width)
    {
        if (height % PatchSize != 0 || width % PatchSize != 0)
            throw new UserInputException($"The image {height}×{width} is not divisible into {PatchSize}×{PatchSize} patches.");
        return (height / PatchSize, width / PatchSize);
    }

    /// <summary>
    /// The profile of a model on this skeleton at <paramref name="options"/>' input: the tokens and the patch embedding
    /// in state-dict order, the rows <paramref name="blocks"/> adds for the blocks (given the token count, patches + 1),
    /// then the final norm, the pool and the head.
    /// </summary>
    /// <exception cref="UserInputException">The image is not a whole number of patches.</exception>
    public ModelProfile Profile(string name, ModelOptions options, Action<ProfileBuilder, int> blocks)
    {
        var (gh, gw) = PatchGrid(options.ImageHeight, options.ImageWidth);
        int d = EmbedDim, tokens = gh * gw + 1;
        var p = new ProfileBuilder();
        if (!PosEmbedListedFirst) p.Tensor("cls_token", "class token", [1, d], d);
        p.Tensor("pos_embed", "position embedding", [tokens, d], (long)tokens * d);
        if (PosEmbedListedFirst) p.Tensor("cls_token", "class token", [1, d], d);
        p.Conv2d(PatchEmbedName + ".proj", options.InChannels, d, PatchSize, PatchSize, 0, options.ImageHeight, options.ImageWidth);
        blocks(p, tokens);
        p.Norm("norm", "layernorm", d, [tokens, d]);
        if (PoolPatchTokens) p.Free("pool", "mean of patch tokens", [d]);
        p.Linear("head", d, options.NumClasses, [options.NumClasses], 1);
        return p.Build(name, options.Input, options.NumClasses);
    }
}
