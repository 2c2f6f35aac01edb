using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// A GLiT block's mixer (the zoo's <see cref="Models.Blocks.GlobalLocalAttention"/>) in the supernet, at the largest
/// expansions and kernel: up to <see cref="MaxGlobalHeads"/> global heads over the first channels (<c>qkv</c>,
/// <c>proj</c>) beside up to <see cref="MaxLocalHeads"/> local heads over the last ones (<c>net</c>). One head split
/// (SPOS style, <see cref="HeadSplitWeights.Own"/>) has exactly its own heads; with <see cref="HeadSplitWeights.Shared"/>
/// one mixer of every head of both kinds serves all splits, each channel keeping its weights: global heads use the
/// leading columns and rows of the largest q, k, v and proj, local heads the trailing channels of the largest
/// <c>net</c>. The Q-K-V width is entangled as AutoFormer's <c>qkv_super</c> does it: q, k and v each use their leading
/// <c>g·w</c> rows of the largest q, k and v (a stacked three-part <see cref="SlicedLinear"/>: three GEMMs over views
/// of one weight, or one when every row is active), and <c>proj</c> the leading columns.
/// </summary>
public sealed class GlitSuperGlobalLocal : GlobalLocalMixer, IActiveChildren
{
    private readonly SlicedLinear? _qkv;
    private readonly SlicedLinear? _proj;
    private readonly GlitSuperConvHeads? _net;

    /// <summary>
    /// A mixer of at most <paramref name="maxGlobalHeads"/> + <paramref name="maxLocalHeads"/> heads of
    /// <paramref name="headDim"/> channels each, at the largest expansions and kernel; the split of all its heads active.
    /// </summary>
    /// <exception cref="ArgumentException">A size is invalid.</exception>
    public GlitSuperGlobalLocal(int headDim, int maxGlobalHeads, int maxLocalHeads, float maxGlobalExpansion, int maxLocalExpansion, int maxKernel, Generator generator)
        : base(headDim, maxGlobalHeads, maxLocalHeads)
    {
        MaxGlobalHeads = maxGlobalHeads;
        MaxLocalHeads = maxLocalHeads;
        if (maxGlobalHeads > 0)
        {
            HeadWidth = (int)(headDim * maxGlobalExpansion);
            int maxInner = maxGlobalHeads * HeadWidth;
            _qkv = RegisterModule("qkv", new SlicedLinear(GlobalDim, maxInner, generator, SlicedInit.TruncNormal, parts: 3));
            _proj = RegisterModule("proj", new SlicedLinear(maxInner, GlobalDim, generator, SlicedInit.TruncNormal));
        }
        if (maxLocalHeads > 0) _net = RegisterModule("net", new GlitSuperConvHeads(LocalDim, maxLocalExpansion, maxKernel, generator));
    }

    /// <summary>Most global heads.</summary>
    public int MaxGlobalHeads { get; }

    /// <summary>Most local heads.</summary>
    public int MaxLocalHeads { get; }

    /// <summary>
    /// Makes the split <paramref name="globalHeads"/> + <paramref name="localHeads"/>, e_v <paramref name="globalExpansion"/>,
    /// e_c <paramref name="localExpansion"/> and kernel <paramref name="kernel"/> active (each only where the split has such heads).
    /// </summary>
    /// <exception cref="ArgumentException">A size exceeds the largest.</exception>
    public void Activate(int globalHeads, int localHeads, float globalExpansion, int localExpansion, int kernel)
    {
        if (globalHeads > MaxGlobalHeads || localHeads > MaxLocalHeads)
            throw new ArgumentException($"This mixer holds at most {MaxGlobalHeads} global and {MaxLocalHeads} local heads; asked for {globalHeads} and {localHeads}.");
        SetSplit(globalHeads, localHeads);
        if (globalHeads > 0)
        {
            HeadWidth = (int)(HeadDim * globalExpansion);
            _qkv!.Activate(GlobalDim, GlobalHeads * HeadWidth);
            _proj!.Activate(GlobalHeads * HeadWidth, GlobalDim);
        }
        else
        {
            HeadWidth = 0;
        }
        if (localHeads > 0) _net!.Activate(LocalDim, localExpansion, kernel);
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, Module Module)> ActiveChildren()
    {
        if (GlobalHeads > 0) yield return ("qkv", _qkv!);
        if (GlobalHeads > 0) yield return ("proj", _proj!);
        if (LocalHeads > 0) yield return ("net", _net!);
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
