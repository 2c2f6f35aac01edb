using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Supernets.Burger;

/// <summary>
/// Multi-head self-attention over the first <c>C</c> of its channels with a fixed head count (BurgerFormer: 4 in
/// stage 3, 8 in stage 4), so a head is <c>C / heads</c> wide, as in the standalone model of that width. Q, K and V
/// are the leading <c>C × C</c> blocks of the three row bands of the largest <c>qkv</c> weight (three GEMMs on views),
/// the projection the leading block of <c>proj</c>. Names as <see cref="Attention"/>'s: <c>qkv.weight</c>, <c>proj.weight</c>, <c>proj.bias</c>.
/// </summary>
public sealed class SlicedAttention : Layer
{
    private readonly Linear _qkv;
    private readonly Linear _proj;

    /// <summary>Attention of up to <paramref name="maxDim"/> channels in <paramref name="numHeads"/> heads, trunc_normal(0.02) weights and zero biases (the official init).</summary>
    /// <exception cref="ArgumentException">The heads do not divide <paramref name="maxDim"/>.</exception>
    public SlicedAttention(int maxDim, int numHeads, Generator generator)
    {
        if (numHeads < 1 || maxDim % numHeads != 0)
            throw new ArgumentException($"Attention width {maxDim} is not divisible by {numHeads} heads.");
        MaxDim = maxDim;
        NumHeads = numHeads;
        _qkv = RegisterModule("qkv", new Linear(maxDim, 3 * maxDim, generator, bias: false));
        _proj = RegisterModule("proj", new Linear(maxDim, maxDim, generator));
        FormerSearch.Models.Blocks.Layers.TruncNormalInit(_qkv, generator);
        FormerSearch.Models.Blocks.Layers.TruncNormalInit(_proj, generator);
    }

    /// <summary>The largest width.</summary>
    public int MaxDim { get; }

    /// <summary>Heads at every width.</summary>
    public int NumHeads { get; }

    /// <summary>The largest <c>qkv</c> layer (<c>[3·MaxDim, MaxDim]</c>).</summary>
    public Linear Qkv => _qkv;

    /// <summary>The largest projection.</summary>
    public Linear Proj => _proj;

    /// <summary><c>[B, H, W, C]</c> → <c>[B, H, W, C]</c>.</summary>
    /// <exception cref="ArgumentException">The width exceeds <see cref="MaxDim"/> or is not divisible by the heads.</exception>
    public override Tensor Forward(Tensor x)
    {
        int b = x.Size(0), c = x.Size(3), n = x.Size(1) * x.Size(2);
        if (c > MaxDim || c % NumHeads != 0)
            throw new ArgumentException($"Attention of up to {MaxDim} channels in {NumHeads} heads cannot take width {c}.");
        int d = c / NumHeads;
        var tokens = x.Contiguous().Reshape(b, n, c);                                              // [B, N, C]
        var w = _qkv.Weight.Value;
        var q = Functional.Linear(tokens, w.Block(0, c, 0, c)).Reshape(b, n, NumHeads, d).Permute(0, 2, 1, 3);        // [B, h, N, d]
        var k = Functional.Linear(tokens, w.Block(MaxDim, c, 0, c)).Reshape(b, n, NumHeads, d).Permute(0, 2, 1, 3);
        var v = Functional.Linear(tokens, w.Block(2 * MaxDim, c, 0, c)).Reshape(b, n, NumHeads, d).Permute(0, 2, 1, 3);
        q = Functional.Mul(q, MathF.Pow(d, -0.5f));
        var attn = Functional.Softmax(Functional.MatMul(q, k.Transpose(2, 3)));                  // [B, h, N, N]
        var mixed = Functional.MatMul(attn, v).Transpose(1, 2).Contiguous().Reshape(b, n, c);     // [B, N, C]
        var y = Functional.Linear(mixed, _proj.Weight.Value.Block(c, c), _proj.Bias!.Value.Narrow(0, 0, c));
        return y.Reshape(x.Shape);
    }

    /// <summary>Adds the width-<paramref name="c"/> slices under the standalone <see cref="Attention"/>'s names (Q, K and V blocks stacked into one <c>[3c, c]</c> copy).</summary>
    public void AddSlices(string prefix, int c, Dictionary<string, Tensor> into, bool splitQkv = false)
    {
        if (splitQkv)
        {
            for (int i = 0; i < 3; i++) into[$"{prefix}qkv.weight#{i}"] = _qkv.Weight.Value.Block(i * MaxDim, c, 0, c);
        }
        else
        {
            var qkv = Tensor.Zeros(3 * c, c);
            for (int i = 0; i < 3; i++) qkv.Narrow(0, i * c, c).CopyFrom(_qkv.Weight.Value.Block(i * MaxDim, c, 0, c));
            into[prefix + "qkv.weight"] = qkv;
        }
        into[prefix + "proj.weight"] = _proj.Weight.Value.Block(c, c);
        into[prefix + "proj.bias"] = _proj.Bias!.Value.Narrow(0, 0, c);
    }
}
