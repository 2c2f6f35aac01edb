using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// AutoFormer's attention (official <c>AttentionSuper</c> with <c>change_qkv</c> and <c>relative_position</c>):
/// q, k and v are <c>heads·headDim</c> wide whatever the token width, and learned 2-D relative position
/// embeddings enter both the scores and the output:
/// <c>attn = softmax((q·kᵀ + q·R_kᵀ)/√headDim)</c>, <c>out = attn·v + attn·R_v</c>, with
/// <c>(q·R_kᵀ)[i, j] = q_i·R_k[i, j]</c> and <c>(attn·R_v)[i] = Σ_j attn[i, j]·R_v[i, j]</c>, then <c>proj</c> back to the width.
/// </summary>
public sealed class AutoFormerAttention : Module
{
    private readonly Linear _qkv;
    private readonly RelativePosition2D _relK;
    private readonly RelativePosition2D _relV;
    private readonly Linear _proj;
    private readonly Dropout _attnDrop;
    private readonly Dropout _projDrop;

    /// <summary>Attention from <paramref name="dim"/> channels through <paramref name="numHeads"/> heads of <paramref name="headDim"/> channels; linear weights trunc_normal(0.02), biases zero.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public AutoFormerAttention(int dim, int numHeads, int headDim, int maxRelativePosition, Generator generator, bool qkvBias = true, float attnDrop = 0f, float projDrop = 0f)
    {
        if (dim < 1 || numHeads < 1 || headDim < 1)
            throw new ArgumentException($"AutoFormer attention needs positive sizes; got width {dim}, {numHeads} heads of {headDim}.");
        Dim = dim;
        NumHeads = numHeads;
        HeadDim = headDim;
        int inner = numHeads * headDim;
        _qkv = RegisterModule("qkv", new Linear(dim, 3 * inner, generator, qkvBias));
        _relK = RegisterModule("rel_pos_embed_k", new RelativePosition2D(headDim, maxRelativePosition, generator));
        _relV = RegisterModule("rel_pos_embed_v", new RelativePosition2D(headDim, maxRelativePosition, generator));
        _proj = RegisterModule("proj", new Linear(inner, dim, generator));
        _attnDrop = RegisterModule("attn_drop", new Dropout(attnDrop, generator));
        _projDrop = RegisterModule("proj_drop", new Dropout(projDrop, generator));
        Layers.TruncNormalInit(generator, _qkv, _proj);
    }

    /// <summary>Token width.</summary>
    public int Dim { get; }

    /// <summary>Heads.</summary>
    public int NumHeads { get; }

    /// <summary>Channels per head of q, k and v.</summary>
    public int HeadDim { get; }

    /// <summary>
    /// Tokens <c>[B, N, Dim]</c> — a class token then a row-major patch grid <paramref name="gridW"/> wide — to
    /// <c>[B, N, Dim]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not <c>[B, N, Dim]</c>, or its patches do not fill rows of <paramref name="gridW"/>.</exception>
    public Tensor Forward(Tensor x, int gridW)
    {
        if (x.Rank != 3 || x.Size(2) != Dim || x.Size(1) < 2)
            throw new ArgumentException($"AutoFormer attention of width {Dim} takes [B, 1 + patches, {Dim}]; got {Tensor.FormatShape(x.Shape)}.");
        var (q, k, v) = AttentionHeads.Split(_qkv.Forward(x), NumHeads);                  // [B, h, N, d] each
        var output = Attend(q, k, v, _relK, _relV, gridW, _attnDrop);                       // [B, N, h·d]
        return _projDrop.Forward(_proj.Forward(output));                                   // [B, N, Dim]
    }

    /// <summary>
    /// The attention of q, k, v <c>[B, h, N, d]</c> — a class token, then a patch grid <paramref name="gridW"/> wide — with
    /// the 2-D relative position tables <paramref name="relK"/> and <paramref name="relV"/>, its weights dropped by
    /// <paramref name="attnDrop"/> when given, the heads merged: <c>[B, N, h·d]</c>. The supernet's attention runs this too.
    /// </summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, RelativePosition2D relK, RelativePosition2D relV, int gridW, Dropout? attnDrop = null)
    {
        int b = q.Size(0), h = q.Size(1), n = q.Size(2), d = q.Size(3);
        // Scaling q before both products (not the scores after): equal to the official (q·kᵀ + q·R_kᵀ)·scale, fewer multiplies.
        q = Functional.Mul(q, MathF.Pow(d, -0.5f));                                        // [B, h, N, d]

        // The relative term is one product per query position: [N, B·h, d] · R_k[i]ᵀ [N, d, N] → [N, B·h, N].
        var rk = relK.Forward(n - 1, gridW);                                               // [N, N, d]
        var qByPos = q.Permute(2, 0, 1, 3).Contiguous().Reshape(n, b * h, d);              // [N, B·h, d]
        var relScores = Functional.MatMul(qByPos, rk.Transpose(1, 2))                      // [N, B·h, N]
            .Reshape(n, b, h, n).Permute(1, 2, 0, 3);                                      // [B, h, N, N]
        var attn = Functional.Softmax(Functional.Add(Functional.MatMul(q, k.Transpose(2, 3)), relScores));   // [B, h, N, N]
        if (attnDrop is not null) attn = attnDrop.Forward(attn);

        var mixed = Functional.MatMul(attn, v).Transpose(1, 2);                            // [B, N, h, d]
        var rv = relV.Forward(n - 1, gridW);                                               // [N, N, d]
        var attnByPos = attn.Permute(2, 0, 1, 3).Contiguous().Reshape(n, b * h, n);        // [N, B·h, N]
        var relOut = Functional.MatMul(attnByPos, rv)                                      // [N, B·h, d]
            .Reshape(n, b, h, d).Permute(1, 0, 2, 3);                                      // [B, N, h, d]
        return Functional.Add(mixed, relOut).Contiguous().Reshape(b, n, h * d);            // [B, N, h·d]
    }
}
