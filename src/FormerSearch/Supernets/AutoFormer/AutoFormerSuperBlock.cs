using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.AutoFormer;

/// <summary>
/// AutoFormer's entangled pre-norm encoder layer (official <c>TransformerEncoderLayer</c> of the supernet):
/// <c>x + attn(attn_layer_norm(x))</c>, then <c>x + fc2(gelu(fc1(ffn_layer_norm(x))))</c>, every weight the leading
/// slice of the layer's largest for the active width, heads and MLP width.
/// </summary>
public sealed class AutoFormerSuperBlock : Module
{
    private readonly AutoFormerSuperAttention _attn;
    private readonly SlicedLayerNorm _attnNorm;
    private readonly SlicedLayerNorm _ffnNorm;
    private readonly SlicedLinear _fc1;
    private readonly SlicedLinear _fc2;

    /// <summary>A layer of width at most <paramref name="maxDim"/>, q/k/v width at most <paramref name="maxInner"/> in heads of <paramref name="headDim"/>, and MLP width at most <paramref name="maxHidden"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public AutoFormerSuperBlock(int maxDim, int maxInner, int headDim, int maxHidden, int maxRelativePosition, bool qkvBias, float normEps, Generator generator)
    {
        _attn = RegisterModule("attn", new AutoFormerSuperAttention(maxDim, maxInner, headDim, maxRelativePosition, qkvBias, generator));
        _attnNorm = RegisterModule("attn_layer_norm", new SlicedLayerNorm(maxDim, normEps));
        _ffnNorm = RegisterModule("ffn_layer_norm", new SlicedLayerNorm(maxDim, normEps));
        _fc1 = RegisterModule("fc1", new SlicedLinear(maxDim, maxHidden, generator, SlicedInit.TruncNormal));
        _fc2 = RegisterModule("fc2", new SlicedLinear(maxHidden, maxDim, generator, SlicedInit.TruncNormal));
    }

    /// <summary>Makes width <paramref name="dim"/>, <paramref name="heads"/> heads and an MLP <paramref name="hidden"/> wide active.</summary>
    /// <exception cref="ArgumentException">The sizes exceed the layer's.</exception>
    public void Activate(int dim, int heads, int hidden)
    {
        _attn.Activate(dim, heads);
        _attnNorm.Activate(dim);
        _ffnNorm.Activate(dim);
        _fc1.Activate(dim, hidden);
        _fc2.Activate(hidden, dim);
    }

    /// <summary>
    /// Tokens <c>[B, N, D]</c> through the active layer. <paramref name="projDrop"/> drops the attention projection's
    /// output, <paramref name="dropout"/> the MLP's activations and output (the official width-scaled rate),
    /// <paramref name="dropPath"/> each residual branch.
    /// </summary>
    public Tensor Forward(Tensor x, int gridW, float projDrop, float dropout, float dropPath, bool training, Generator generator)
    {
        var y = _attn.Forward(_attnNorm.Forward(x), gridW, projDrop, training, generator);
        // The official attention-branch dropout uses the attention dropout rate, 0 here.
        x = Functional.Add(x, Functional.DropPath(y, dropPath, training, generator));
        y = Functional.Dropout(Functional.Gelu(_fc1.Forward(_ffnNorm.Forward(x))), dropout, training, generator);
        y = Functional.Dropout(_fc2.Forward(y), dropout, training, generator);
        return Functional.Add(x, Functional.DropPath(y, dropPath, training, generator));
    }
}
