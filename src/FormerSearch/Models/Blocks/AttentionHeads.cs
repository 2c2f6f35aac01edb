using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The multi-head attention core every attention of the zoo and the supernets shares: splitting a fused q-k-v projection
/// into heads, and <c>softmax(q·kᵀ/√d)·v</c> per head with the heads merged back. q is scaled before the product, not
/// the scores after (as the MetaFormer code does): the same up to rounding, fewer multiplies.
/// </summary>
public static class AttentionHeads
{
    /// <summary>A fused projection <c>[B, N, 3·h·d]</c> (q, k, v in turn, each head's channels together) as q, k and v <c>[B, h, N, d]</c>: views, no copy.</summary>
    public static (Tensor Q, Tensor K, Tensor V) Split(Tensor qkv, int heads)
    {
        int b = qkv.Size(0), n = qkv.Size(1), d = qkv.Size(2) / (3 * heads);
        var perHead = qkv.Reshape(b, n, 3, heads, d).Permute(2, 0, 3, 1, 4);        // [3, B, h, N, d]
        return (perHead.Select(0, 0), perHead.Select(0, 1), perHead.Select(0, 2));
    }

    /// <summary>One projection's output <c>[B, N, h·d]</c> as <c>[B, h, N, d]</c> (a view).</summary>
    public static Tensor PerHead(Tensor projected, int heads)
    {
        int b = projected.Size(0), n = projected.Size(1), d = projected.Size(2) / heads;
        return projected.Reshape(b, n, heads, d).Permute(0, 2, 1, 3);
    }

    /// <summary>
    /// <c>softmax(q·kᵀ/√d)</c> (dropped by <paramref name="attnDrop"/> when given) times v, per head, the heads merged:
    /// q, k, v <c>[B, h, N, d]</c> → <c>[B, N, h·d]</c>.
    /// </summary>
    public static Tensor Mix(Tensor q, Tensor k, Tensor v, Dropout? attnDrop = null)
    {
        // Without attention dropout the whole product is one op (fused when no gradient is needed).
        if (attnDrop is null || !attnDrop.Training || attnDrop.P == 0f) return Functional.MultiHeadAttention(q, k, v);
        int b = q.Size(0), h = q.Size(1), n = q.Size(2), d = q.Size(3);
        q = Functional.Mul(q, MathF.Pow(d, -0.5f));
        var attn = Functional.Softmax(Functional.MatMul(q, k.Transpose(2, 3)));        // [B, h, N, N]
        attn = attnDrop.Forward(attn);
        return Functional.MatMul(attn, v).Transpose(1, 2).Contiguous().Reshape(b, n, h * d);   // [B, N, h·d]
    }
}
