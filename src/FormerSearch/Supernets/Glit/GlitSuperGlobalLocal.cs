using FormerSearch.Engine;
using FormerSearch.Models.Blocks;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// One head split of a GLiT block's mixer (the zoo's <see cref="Models.Blocks.GlobalLocalAttention"/>) at the largest
/// expansions and kernel: <c>g</c> global heads over the first <c>g·C/h</c> channels (<c>qkv</c>, <c>proj</c>) beside
/// <c>l</c> local heads over the rest (<c>net</c>). Each split has its own weights (SPOS style); inside a split the
/// Q-K-V width is entangled as AutoFormer's <c>qkv_super</c> does it: q, k and v each use their leading
/// <c>g·w</c> rows of the largest q, k and v (a stacked three-part <see cref="SlicedLinear"/>: three GEMMs over views
/// of one weight, or one when every row is active), and <c>proj</c> the leading columns.
/// </summary>
public sealed class GlitSuperGlobalLocal : GlobalLocalMixer
{
    private readonly SlicedLinear? _qkv;
    private readonly SlicedLinear? _proj;
    private readonly GlitSuperConvHeads? _net;

    /// <summary>A split of <paramref name="globalHeads"/> + <paramref name="localHeads"/> heads of <paramref name="headDim"/> channels each, at the largest expansions and kernel (all of it active).</summary>
    /// <exception cref="ArgumentException">A size is invalid.</exception>
    public GlitSuperGlobalLocal(int headDim, int globalHeads, int localHeads, float maxGlobalExpansion, int maxLocalExpansion, int maxKernel, Generator generator)
        : base(headDim, globalHeads, localHeads)
    {
        if (globalHeads > 0)
        {
            HeadWidth = (int)(headDim * maxGlobalExpansion);
            MaxGlobalInner = globalHeads * HeadWidth;
            _qkv = RegisterModule("qkv", new SlicedLinear(GlobalDim, MaxGlobalInner, generator, SlicedInit.TruncNormal, parts: 3));
            _proj = RegisterModule("proj", new SlicedLinear(MaxGlobalInner, GlobalDim, generator, SlicedInit.TruncNormal));
        }
        if (localHeads > 0) _net = RegisterModule("net", new GlitSuperConvHeads(LocalDim, maxLocalExpansion, maxKernel, generator));
    }

    /// <summary>Largest width of q (as of k and v) over all global heads.</summary>
    public int MaxGlobalInner { get; }

    /// <summary>Makes e_v <paramref name="globalExpansion"/>, e_c <paramref name="localExpansion"/> and kernel <paramref name="kernel"/> active (each only where the split has such heads).</summary>
    /// <exception cref="ArgumentException">A size exceeds the largest.</exception>
    public void Activate(float globalExpansion, int localExpansion, int kernel)
    {
        if (_qkv is not null)
        {
            HeadWidth = (int)(HeadDim * globalExpansion);
            _qkv.Activate(GlobalDim, GlobalHeads * HeadWidth);
            _proj!.Activate(GlobalHeads * HeadWidth, GlobalDim);
        }
        _net?.Activate(localExpansion, kernel);
    }

    /// <inheritdoc/>
    protected override Tensor Global(Tensor x)
    {
        // The whole weight is one GEMM, as in the standalone model; a narrowed one three, over views of it.
        var (q, k, v) = _qkv!.IsOneBlock ? AttentionHeads.Split(_qkv.Forward(x), GlobalHeads) : _qkv.PartsPerHead(x, GlobalHeads);  // [B, h, N, d] each
        return _proj!.Forward(AttentionHeads.Mix(q, k, v));                                        // [B, N, C·g/h]
    }

    /// <inheritdoc/>
    protected override Tensor Local(Tensor x) => _net!.Forward(x);
}
