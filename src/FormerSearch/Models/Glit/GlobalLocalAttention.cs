using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// GLiT's global-local token mixer: of the token's C channels, the first <c>C·g/h</c> go through <c>g</c> heads of
/// multi-head self-attention whose q, k and v are <c>e_v</c> times wider (<c>qkv</c>, <c>softmax(q·kᵀ/√d)·v</c>,
/// <c>proj</c> back), the last <c>C·l/h</c> through <c>l</c> local heads (<see cref="ConvHeads"/>, <c>net</c>),
/// and the two outputs are concatenated back to C channels. With <c>l = 0</c> it is the official
/// <c>Vit_Attention</c>, with <c>g = 0</c> <c>Conv_Attention</c>, otherwise <c>Mix_Attention</c>; all three
/// name their parameters <c>qkv</c>, <c>proj</c> and <c>net</c>, as here. Linear weights trunc_normal(0.02),
/// biases zero (the official <c>_init_weights</c>); the qkv projection always has a bias, as in the official code.
/// </summary>
public sealed class GlobalLocalAttention : Layer
{
    private readonly Linear? _qkv;
    private readonly Linear? _proj;
    private readonly ConvHeads? _net;
    private readonly float _scale;

    /// <summary>
    /// A mixer over <paramref name="dim"/> channels split in <paramref name="globalHeads"/> + <paramref name="localHeads"/> heads.
    /// </summary>
    /// <param name="dim">Token width C.</param>
    /// <param name="globalHeads">Attention heads g (each reads <c>C/(g+l)</c> channels).</param>
    /// <param name="localHeads">Convolution heads l.</param>
    /// <param name="globalExpansion">e_v: width of each head's q, k and v over its input width.</param>
    /// <param name="localExpansion">e_c: inner width of the convolution heads over their input width.</param>
    /// <param name="kernel">Depthwise kernel of the convolution heads.</param>
    /// <param name="generator">Draws the weights.</param>
    /// <exception cref="ArgumentException">The heads do not divide the width, there are none, or an expansion does not give whole channels.</exception>
    public GlobalLocalAttention(int dim, int globalHeads, int localHeads, float globalExpansion, int localExpansion, int kernel, Generator generator)
    {
        int heads = globalHeads + localHeads;
        if (globalHeads < 0 || localHeads < 0 || heads < 1 || dim % heads != 0)
            throw new ArgumentException($"A global-local mixer of width {dim} cannot have {globalHeads} global and {localHeads} local heads: they must divide the width.");
        int headDim = dim / heads;
        Dim = dim;
        GlobalHeads = globalHeads;
        LocalHeads = localHeads;
        GlobalDim = globalHeads * headDim;
        LocalDim = localHeads * headDim;
        if (globalHeads > 0)
        {
            HeadWidth = (int)(headDim * globalExpansion);
            if (!(globalExpansion > 0) || HeadWidth < 1 || HeadWidth != headDim * (double)globalExpansion)
                throw new ArgumentException($"The global expansion {globalExpansion} does not give a whole, positive width per {headDim}-channel head.");
            int inner = globalHeads * HeadWidth;
            _qkv = RegisterModule("qkv", new Linear(GlobalDim, 3 * inner, generator));
            _proj = RegisterModule("proj", new Linear(inner, GlobalDim, generator));
            Layers.TruncNormalInit(_qkv, generator);
            Layers.TruncNormalInit(_proj, generator);
            _scale = MathF.Pow(HeadWidth, -0.5f);
        }
        if (localHeads > 0) _net = RegisterModule("net", new ConvHeads(LocalDim, localExpansion, kernel, generator));
    }

    /// <summary>Token width C.</summary>
    public int Dim { get; }

    /// <summary>Attention heads.</summary>
    public int GlobalHeads { get; }

    /// <summary>Convolution heads.</summary>
    public int LocalHeads { get; }

    /// <summary>Channels the attention heads read: the first ones.</summary>
    public int GlobalDim { get; }

    /// <summary>Channels the convolution heads read: the last ones.</summary>
    public int LocalDim { get; }

    /// <summary>Width of each attention head's q, k and v (0 without attention heads).</summary>
    public int HeadWidth { get; }

    /// <summary>Tokens <c>[B, N, C]</c> → <c>[B, N, C]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[B, N, C]</c>.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 3 || x.Size(2) != Dim)
            throw new ArgumentException($"A global-local mixer of width {Dim} takes [B, N, {Dim}]; got {Tensor.FormatShape(x.Shape)}.");
        if (_net is null) return Global(x);
        if (_qkv is null) return _net.Forward(x);
        var global = Global(x.Narrow(2, 0, GlobalDim));                 // [B, N, C·g/h]
        var local = _net.Forward(x.Narrow(2, GlobalDim, LocalDim));     // [B, N, C·l/h]
        return Functional.Concat([global, local], 2);                  // [B, N, C]
    }

    private Tensor Global(Tensor x)
    {
        int b = x.Size(0), n = x.Size(1), h = GlobalHeads, d = HeadWidth;
        var qkv = _qkv!.Forward(x).Reshape(b, n, 3, h, d).Permute(2, 0, 3, 1, 4);     // [3, B, h, N, d]
        // Scaling q before the product (the official code scales the scores after): the same up to rounding, fewer multiplies.
        var q = Functional.Mul(qkv.Select(0, 0), _scale);                             // [B, h, N, d]
        var k = qkv.Select(0, 1);
        var v = qkv.Select(0, 2);
        var attn = Functional.Softmax(Functional.MatMul(q, k.Transpose(2, 3)));      // [B, h, N, N]
        var mixed = Functional.MatMul(attn, v).Transpose(1, 2).Contiguous().Reshape(b, n, h * d);   // [B, N, h·d]
        return _proj!.Forward(mixed);                                                 // [B, N, C·g/h]
    }
}
