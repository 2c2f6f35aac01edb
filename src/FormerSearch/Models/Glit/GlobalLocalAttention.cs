using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// GLiT's global-local token mixer: of the token's C channels, the first <c>C·g/h</c> go through <c>g</c> heads of
/// multi-head self-attention whose q, k and v are <c>e_v</c> times wider (<c>qkv</c>, <c>softmax(q·kᵀ/√d)·v</c>,
/// <c>proj</c> back), the last <c>C·l/h</c> through <c>l</c> local heads (<see cref="ConvHeads"/>, <c>net</c>),
/// and the two outputs are concatenated back to C channels. With <c>l = 0</c> it is the official
/// <c>Vit_Attention</c>, with <c>g = 0</c> <c>Conv_Attention</c>, otherwise <c>Mix_Attention</c>; all three
/// name their parameters <c>qkv</c>, <c>proj</c> and <c>net</c>, as here. Linear weights trunc_normal(0.02),
/// biases zero (the official <c>_init_weights</c>); the qkv projection always has a bias, as in the official code.
/// </summary>
public sealed class GlobalLocalAttention : GlobalLocalMixer
{
    private readonly Linear? _qkv;
    private readonly Linear? _proj;
    private readonly ConvHeads? _net;

    /// <summary>
    /// A mixer over <paramref name="dim"/> channels split in <paramref name="globalHeads"/> + <paramref name="localHeads"/> heads.
    /// </summary>
    /// <param name="dim">Token width C.</param>
    /// <param name="globalHeads">Attention heads g (each reads <c>C/(g+l)</c> channels).</param>
    /// <param name="localHeads">Convolution heads l.</param>
    /// <param name="globalExpansion">e_v: width of each head's q, k and v over its input width.</param>
    /// <param name="localExpansion">e_c: inner width of the convolution heads over their input width.</param>
    /// <param name="kernel">Depthwise kernel of the convolution heads.</param>
    /// <param name="generator">Draws the weights.</param>
    /// <exception cref="ArgumentException">The heads do not divide the width, there are none, or an expansion does not give whole channels.</exception>
    public GlobalLocalAttention(int dim, int globalHeads, int localHeads, float globalExpansion, int localExpansion, int kernel, Generator generator)
        : base(HeadDimOf(dim, globalHeads, localHeads), globalHeads, localHeads)
    {
        if (globalHeads > 0)
        {
            HeadWidth = (int)(HeadDim * globalExpansion);
            if (!(globalExpansion > 0) || HeadWidth < 1 || HeadWidth != HeadDim * (double)globalExpansion)
                throw new ArgumentException($"The global expansion {globalExpansion} does not give a whole, positive width per {HeadDim}-channel head.");
            int inner = globalHeads * HeadWidth;
            _qkv = RegisterModule("qkv", new Linear(GlobalDim, 3 * inner, generator));
            _proj = RegisterModule("proj", new Linear(inner, GlobalDim, generator));
            Layers.TruncNormalInit(generator, _qkv, _proj);
        }
        if (localHeads > 0) _net = RegisterModule("net", new ConvHeads(LocalDim, localExpansion, kernel, generator));
    }

    /// <inheritdoc/>
    protected override Tensor Global(Tensor x)
    {
        var (q, k, v) = AttentionHeads.Split(_qkv!.Forward(x), GlobalHeads);        // [B, h, N, d] each
        return _proj!.Forward(AttentionHeads.Mix(q, k, v));                          // [B, N, C·g/h]
    }

    /// <inheritdoc/>
    protected override Tensor Local(Tensor x) => _net!.Forward(x);

    private static int HeadDimOf(int dim, int globalHeads, int localHeads)
    {
        int heads = globalHeads + localHeads;
        if (globalHeads < 0 || localHeads < 0 || heads < 1 || dim % heads != 0)
            throw new ArgumentException($"A global-local mixer of width {dim} cannot have {globalHeads} global and {localHeads} local heads: they must divide the width.");
        return dim / heads;
    }
}
