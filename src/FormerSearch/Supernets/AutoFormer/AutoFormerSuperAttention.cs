using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.AutoFormer;

/// <summary>
/// AutoFormer's entangled attention (official <c>AttentionSuper</c> with <c>change_qkv</c> and
/// <c>relative_position</c>): the subnet's heads of <see cref="HeadDim"/> channels take q, k and v from an interleaved
/// three-part <see cref="SlicedLinear"/> (official <c>qkv_super</c>), the 2-D relative position tables whole (their
/// width is the head width, which every subnet shares), and the projection back to the width from the leading block
/// of <c>proj</c>. The computation after the projections is the zoo's <see cref="AutoFormerAttention"/>.
/// </summary>
public sealed class AutoFormerSuperAttention : Module
{
    private readonly SlicedLinear _qkv;
    private readonly RelativePosition2D _relK;
    private readonly RelativePosition2D _relV;
    private readonly SlicedLinear _proj;

    /// <summary>Attention of width at most <paramref name="maxDim"/> with up to <paramref name="maxInner"/> q/k/v channels in heads of <paramref name="headDim"/>; the largest subnet active.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public AutoFormerSuperAttention(int maxDim, int maxInner, int headDim, int maxRelativePosition, bool qkvBias, Generator generator)
    {
        if (headDim < 1 || maxInner % headDim != 0)
            throw new ArgumentException($"The super attention's q/k/v width {maxInner} is not a whole number of {headDim}-wide heads.");
        HeadDim = headDim;
        MaxHeads = maxInner / headDim;
        _qkv = RegisterModule("qkv", new SlicedLinear(maxDim, maxInner, generator, SlicedInit.TruncNormal, qkvBias, parts: 3, PartLayout.Interleaved));
        _relK = RegisterModule("rel_pos_embed_k", new RelativePosition2D(headDim, maxRelativePosition, generator));
        _relV = RegisterModule("rel_pos_embed_v", new RelativePosition2D(headDim, maxRelativePosition, generator));
        _proj = RegisterModule("proj", new SlicedLinear(maxInner, maxDim, generator, SlicedInit.TruncNormal));
        Heads = MaxHeads;
    }

    /// <summary>Channels per head.</summary>
    public int HeadDim { get; }

    /// <summary>Most heads a subnet can have.</summary>
    public int MaxHeads { get; }

    /// <summary>Active heads.</summary>
    public int Heads { get; private set; }

    /// <summary>Makes <paramref name="heads"/> heads over tokens <paramref name="dim"/> wide active.</summary>
    /// <exception cref="ArgumentException">The sizes exceed the supernet's.</exception>
    public void Activate(int dim, int heads)
    {
        if (heads < 1 || heads > MaxHeads)
            throw new ArgumentException($"The super attention has at most {MaxHeads} heads; asked for {heads}.");
        Heads = heads;
        _qkv.Activate(dim, heads * HeadDim);
        _proj.Activate(heads * HeadDim, dim);
    }

    /// <summary>
    /// Tokens <c>[B, N, D]</c> (a class token, then a row-major grid <paramref name="gridW"/> wide) through the active
    /// heads, the projection's output dropped with <paramref name="projDrop"/>: <c>[B, N, D]</c>.
    /// </summary>
    public Tensor Forward(Tensor x, int gridW, float projDrop, bool training, Generator generator)
    {
        var (q, k, v) = _qkv.PartsPerHead(x, Heads);                                              // [B, h, N, d] each
        var output = AutoFormerAttention.Attend(q, k, v, _relK, _relV, gridW);                   // [B, N, h·d]
        // proj_drop is the official nn.Dropout(drop_rate): not scaled with the sampled width.
        return Functional.Dropout(_proj.Forward(output), projDrop, training, generator);         // [B, N, D]
    }
}
