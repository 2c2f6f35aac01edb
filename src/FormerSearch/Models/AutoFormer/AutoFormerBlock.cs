using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// AutoFormer's pre-norm encoder layer (official <c>TransformerEncoderLayer</c>):
/// <c>x + attn(attn_layer_norm(x))</c>, then <c>x + fc2(gelu(fc1(ffn_layer_norm(x))))</c>, with dropout and
/// stochastic depth on each branch. Parameter names follow the official state dict.
/// </summary>
public sealed class AutoFormerBlock : Layer
{
    private readonly AutoFormerAttention _attn;
    private readonly LayerNorm _attnNorm;
    private readonly LayerNorm _ffnNorm;
    private readonly Linear _fc1;
    private readonly Linear _fc2;
    private readonly Dropout _drop;
    private readonly DropPath _dropPath;
    private readonly int _gridW;

    /// <summary>A layer of width <paramref name="dim"/> with <paramref name="numHeads"/> heads of <paramref name="headDim"/> and an MLP <paramref name="hidden"/> wide, over a class token and a patch grid <paramref name="gridW"/> wide.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public AutoFormerBlock(int dim, int numHeads, int headDim, int hidden, int maxRelativePosition, bool qkvBias, float normEps, float dropRate, float dropPath, int gridW, Generator generator)
    {
        if (hidden < 1 || gridW < 1) throw new ArgumentException($"An AutoFormer layer needs a positive MLP width and grid; got {hidden} and {gridW}.");
        _gridW = gridW;
        _attn = RegisterModule("attn", new AutoFormerAttention(dim, numHeads, headDim, maxRelativePosition, generator, qkvBias, 0f, dropRate));
        _attnNorm = RegisterModule("attn_layer_norm", new LayerNorm(dim, normEps));
        _ffnNorm = RegisterModule("ffn_layer_norm", new LayerNorm(dim, normEps));
        _fc1 = RegisterModule("fc1", new Linear(dim, hidden, generator));
        _fc2 = RegisterModule("fc2", new Linear(hidden, dim, generator));
        _drop = RegisterModule("drop", new Dropout(dropRate, generator));
        _dropPath = RegisterModule("drop_path", new DropPath(dropPath, generator));
        Layers.TruncNormalInit(generator, _fc1, _fc2);
    }

    /// <summary>Tokens <c>[B, 1 + patches, C]</c> (the patches in rows of the grid's width) → the same shape.</summary>
    /// <exception cref="ArgumentException">The input does not fit the layer.</exception>
    public override Tensor Forward(Tensor x)
    {
        var y = _attn.Forward(_attnNorm.Forward(x), _gridW);
        x = Functional.Add(x, _dropPath.Forward(y));   // the official attention-branch dropout uses the attention dropout rate, 0
        y = _drop.Forward(Functional.Gelu(_fc1.Forward(_ffnNorm.Forward(x))));
        y = _drop.Forward(_fc2.Forward(y));
        return Functional.Add(x, _dropPath.Forward(y));
    }
}
