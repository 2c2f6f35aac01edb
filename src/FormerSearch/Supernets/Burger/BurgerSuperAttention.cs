using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Burger;

/// <summary>
/// BurgerFormer's self-attention op in the supernet: multi-head attention over the first <c>C</c> of its channels with
/// a fixed head count (4 in stage 3, 8 in stage 4), so a head is <c>C / heads</c> wide, as in the standalone
/// <see cref="Attention"/> of that width. Q, K and V are the leading <c>C × C</c> blocks of the three row bands of a
/// stacked three-part <see cref="SlicedLinear"/> (three GEMMs on views), the projection the leading block of
/// <c>proj</c>; names as <see cref="Attention"/>'s: <c>qkv.weight</c>, <c>proj.weight</c>, <c>proj.bias</c>.
/// </summary>
public sealed class BurgerSuperAttention : Layer, ISlicedByWidth
{
    private readonly SlicedLinear _qkv;
    private readonly SlicedLinear _proj;

    /// <summary>Attention of up to <paramref name="maxDim"/> channels in <paramref name="numHeads"/> heads, trunc_normal(0.02) weights and zero biases (the official init); every channel active.</summary>
    /// <exception cref="ArgumentException">The heads do not divide <paramref name="maxDim"/>.</exception>
    public BurgerSuperAttention(int maxDim, int numHeads, Generator generator)
    {
        if (numHeads < 1 || maxDim % numHeads != 0)
            throw new ArgumentException($"Attention width {maxDim} is not divisible by {numHeads} heads.");
        NumHeads = numHeads;
        _qkv = RegisterModule("qkv", new SlicedLinear(maxDim, maxDim, generator, SlicedInit.TorchDefault, bias: false, parts: 3));
        _proj = RegisterModule("proj", new SlicedLinear(maxDim, maxDim, generator, SlicedInit.TorchDefault));
        // The official model builds both nn.Linear layers, then re-draws them (_init_weights).
        Models.Blocks.Layers.TruncNormalInit(generator, _qkv, _proj);
    }

    /// <summary>Heads at every width.</summary>
    public int NumHeads { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The width exceeds the largest or is not divisible by the heads.</exception>
    public void Activate(int width)
    {
        if (width % NumHeads != 0) throw new ArgumentException($"Attention in {NumHeads} heads cannot take width {width}.");
        _qkv.Activate(width, width);
        _proj.Activate(width, width);
    }

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c> over the active width.</summary>
    public override Tensor Forward(Tensor x)
    {
        int b = x.Size(0), c = x.Size(3), n = x.Size(1) * x.Size(2);
        var (q, k, v) = _qkv.PartsPerHead(x.Contiguous().Reshape(b, n, c), NumHeads);                     // [B, h, N, d] each
        return _proj.Forward(AttentionHeads.Mix(q, k, v)).Reshape(x.Shape);                               // [B, H, W, C]
    }
}
