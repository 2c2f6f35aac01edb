using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// Multi-head self-attention (timm's <c>Attention</c>): <c>qkv</c> projects to queries, keys and values,
/// <c>softmax(q·kᵀ/√d)·v</c> per head, <c>proj</c> mixes the heads. Takes tokens <c>[B, N, C]</c> or a
/// channels-last map <c>[B, H, W, C]</c> (its positions are the tokens, as the MetaFormer baselines do).
/// </summary>
public sealed class Attention : Layer
{
    private readonly Linear _qkv;
    private readonly Linear _proj;
    private readonly Dropout _attnDrop;
    private readonly Dropout _projDrop;

    /// <summary>Attention over <paramref name="dim"/> channels split in <paramref name="numHeads"/> heads.</summary>
    /// <exception cref="ArgumentException">The heads do not divide <paramref name="dim"/>.</exception>
    public Attention(int dim, int numHeads, Generator generator, bool qkvBias = false, float attnDrop = 0f, float projDrop = 0f)
    {
        if (numHeads < 1 || dim % numHeads != 0)
            throw new ArgumentException($"Attention width {dim} is not divisible by {numHeads} heads.");
        Dim = dim;
        NumHeads = numHeads;
        _qkv = RegisterModule("qkv", new Linear(dim, 3 * dim, generator, qkvBias));
        _attnDrop = RegisterModule("attn_drop", new Dropout(attnDrop, generator));
        _proj = RegisterModule("proj", new Linear(dim, dim, generator));
        _projDrop = RegisterModule("proj_drop", new Dropout(projDrop, generator));
    }

    /// <summary>Channels.</summary>
    public int Dim { get; }

    /// <summary>Heads.</summary>
    public int NumHeads { get; }

    /// <summary>Channels per head.</summary>
    public int HeadDim => Dim / NumHeads;

    /// <summary><c>[B, N, C]</c> → <c>[B, N, C]</c>, or <c>[B, H, W, C]</c> → <c>[B, H, W, C]</c>.</summary>
    /// <exception cref="ArgumentException">The last dimension is not <see cref="Dim"/> or the rank is not 3 or 4.</exception>
    public override Tensor Forward(Tensor x)
    {
        if ((x.Rank != 3 && x.Rank != 4) || x.Size(-1) != Dim)
            throw new ArgumentException($"Attention of width {Dim} takes [B, N, {Dim}] or [B, H, W, {Dim}]; got {Tensor.FormatShape(x.Shape)}.");
        int b = x.Size(0), c = Dim;
        int n = x.Rank == 4 ? x.Size(1) * x.Size(2) : x.Size(1);
        var tokens = x.Contiguous().Reshape(b, n, c);                                  // [B, N, C]
        var (q, k, v) = AttentionHeads.Split(_qkv.Forward(tokens), NumHeads);          // [B, h, N, d] each
        var mixed = AttentionHeads.Mix(q, k, v, _attnDrop);                            // [B, N, C]
        var y = _projDrop.Forward(_proj.Forward(mixed));
        return x.Rank == 4 ? y.Reshape(x.Shape) : y;
    }

    /// <summary>Profile rows of an attention named <paramref name="name"/> over <paramref name="tokens"/> tokens of <paramref name="dim"/> channels: <c>qkv</c>, the two attention products, <c>proj</c> (whose output is <paramref name="outputShape"/>).</summary>
    public static void Profile(ProfileBuilder p, string name, int tokens, int dim, IReadOnlyList<int> outputShape, bool qkvBias = false)
    {
        p.Linear(name + ".qkv", dim, 3 * dim, [tokens, 3 * dim], tokens, bias: qkvBias);
        p.AttentionProducts(name + ".attn", tokens, dim, [tokens, dim]);
        p.Linear(name + ".proj", dim, dim, outputShape, tokens);
    }
}
