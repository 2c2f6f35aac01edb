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
        int b = x.Size(0), n = x.Size(1), h = Heads, d = HeadDim, inner = h * d;
        // Scaling q before both products, as the zoo's attention does (equal to the official scaling of the scores).
        var q = Functional.Mul(_qkv.Part(x, 0).Reshape(b, n, h, d).Permute(0, 2, 1, 3), MathF.Pow(d, -0.5f)); // [B, h, N, d]
        var k = _qkv.Part(x, 1).Reshape(b, n, h, d).Permute(0, 2, 1, 3);                                       // [B, h, N, d]
        var v = _qkv.Part(x, 2).Reshape(b, n, h, d).Permute(0, 2, 1, 3);                                       // [B, h, N, d]

        var rk = _relK.Forward(n - 1, gridW);                                                    // [N, N, d]
        var qByPos = q.Permute(2, 0, 1, 3).Contiguous().Reshape(n, b * h, d);                    // [N, B·h, d]
        var relScores = Functional.MatMul(qByPos, rk.Transpose(1, 2))                            // [N, B·h, N]
            .Reshape(n, b, h, n).Permute(1, 2, 0, 3);                                            // [B, h, N, N]
        var attn = Functional.Softmax(Functional.Add(Functional.MatMul(q, k.Transpose(2, 3)), relScores)); // [B, h, N, N]

        var mixed = Functional.MatMul(attn, v).Transpose(1, 2);                                  // [B, N, h, d]
        var rv = _relV.Forward(n - 1, gridW);                                                    // [N, N, d]
        var attnByPos = attn.Permute(2, 0, 1, 3).Contiguous().Reshape(n, b * h, n);              // [N, B·h, N]
        var relOut = Functional.MatMul(attnByPos, rv)                                            // [N, B·h, d]
            .Reshape(n, b, h, d).Permute(1, 0, 2, 3);                                            // [B, N, h, d]
        var output = Functional.Add(mixed, relOut).Contiguous().Reshape(b, n, inner);            // [B, N, h·d]
        // proj_drop is the official nn.Dropout(drop_rate): not scaled with the sampled width.
        return Functional.Dropout(_proj.Forward(output), projDrop, training, generator);         // [B, N, D]
    }
}
