using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// One head split of a GLiT block's mixer (the zoo's <see cref="Models.Blocks.GlobalLocalAttention"/>) at the largest
/// expansions and kernel: <c>g</c> global heads over the first <c>g·C/h</c> channels (<c>qkv</c>, <c>proj</c>) beside
/// <c>l</c> local heads over the rest (<c>net</c>). Each split has its own weights (SPOS style); inside a split the
/// Q-K-V width is entangled as AutoFormer's <c>qkv_super</c> does it: q, k and v each use their leading
/// <c>g·w</c> rows of the largest q, k and v (a stacked three-part <see cref="SlicedLinear"/>: three GEMMs over views
/// of one weight, or one when every row is active), and <c>proj</c> the leading columns.
/// </summary>
public sealed class GlitSuperGlobalLocal : Layer
{
    private readonly SlicedLinear? _qkv;
    private readonly SlicedLinear? _proj;
    private readonly GlitSuperConvHeads? _net;

    /// <summary>A split of <paramref name="globalHeads"/> + <paramref name="localHeads"/> heads of <paramref name="headDim"/> channels each, at the largest expansions and kernel (all of it active).</summary>
    /// <exception cref="ArgumentException">A size is invalid.</exception>
    public GlitSuperGlobalLocal(int headDim, int globalHeads, int localHeads, float maxGlobalExpansion, int maxLocalExpansion, int maxKernel, Generator generator)
    {
        if (headDim < 1 || globalHeads < 0 || localHeads < 0 || globalHeads + localHeads < 1)
            throw new ArgumentException($"A GLiT super split needs positive heads; got {globalHeads} global and {localHeads} local of {headDim} channels.");
        HeadDim = headDim;
        GlobalHeads = globalHeads;
        LocalHeads = localHeads;
        GlobalDim = globalHeads * headDim;
        LocalDim = localHeads * headDim;
        if (globalHeads > 0)
        {
            HeadWidth = (int)(headDim * maxGlobalExpansion);
            MaxGlobalInner = globalHeads * HeadWidth;
            _qkv = RegisterModule("qkv", new SlicedLinear(GlobalDim, MaxGlobalInner, generator, SlicedInit.TruncNormal, parts: 3));
            _proj = RegisterModule("proj", new SlicedLinear(MaxGlobalInner, GlobalDim, generator, SlicedInit.TruncNormal));
        }
        if (localHeads > 0) _net = RegisterModule("net", new GlitSuperConvHeads(LocalDim, maxLocalExpansion, maxKernel, generator));
    }

    /// <summary>Channels per head.</summary>
    public int HeadDim { get; }

    /// <summary>Global heads.</summary>
    public int GlobalHeads { get; }

    /// <summary>Local heads.</summary>
    public int LocalHeads { get; }

    /// <summary>Channels the global heads read: the first ones.</summary>
    public int GlobalDim { get; }

    /// <summary>Channels the local heads read: the last ones.</summary>
    public int LocalDim { get; }

    /// <summary>Largest width of q (as of k and v) over all global heads.</summary>
    public int MaxGlobalInner { get; }

    /// <summary>Active width of each global head's q, k and v (<c>HeadDim · e_v</c>).</summary>
    public int HeadWidth { get; private set; }

    /// <summary>Makes e_v <paramref name="globalExpansion"/>, e_c <paramref name="localExpansion"/> and kernel <paramref name="kernel"/> active (each only where the split has such heads).</summary>
    /// <exception cref="ArgumentException">A size exceeds the largest.</exception>
    public void Activate(float globalExpansion, int localExpansion, int kernel)
    {
        if (_qkv is not null)
        {
            HeadWidth = (int)(HeadDim * globalExpansion);
            _qkv.Activate(GlobalDim, GlobalHeads * HeadWidth);
            _proj!.Activate(GlobalHeads * HeadWidth, GlobalDim);
        }
        _net?.Activate(localExpansion, kernel);
    }

    /// <summary>Tokens <c>[B, N, C]</c> → <c>[B, N, C]</c> through the active sizes.</summary>
    public override Tensor Forward(Tensor x)
    {
        if (_net is null) return Global(x);
        if (_qkv is null) return _net.Forward(x);
        var global = Global(x.Narrow(2, 0, GlobalDim));                                           // [B, N, C·g/h]
        var local = _net.Forward(x.Narrow(2, GlobalDim, LocalDim));                               // [B, N, C·l/h]
        return Functional.Concat([global, local], 2);                                             // [B, N, C]
    }

    private Tensor Global(Tensor x)
    {
        int b = x.Size(0), n = x.Size(1), h = GlobalHeads, d = HeadWidth, inner = h * d;
        Tensor q, k, v;
        if (_qkv!.IsOneBlock)
        {
            // The whole weight: one GEMM, as the standalone model.
            var qkv = _qkv.Forward(x).Reshape(b, n, 3, h, d).Permute(2, 0, 3, 1, 4);                 // [3, B, h, N, d]
            (q, k, v) = (qkv.Select(0, 0), qkv.Select(0, 1), qkv.Select(0, 2));
        }
        else
        {
            x = x.Contiguous();                                                                    // read by three GEMMs
            q = _qkv.Part(x, 0).Reshape(b, n, h, d).Permute(0, 2, 1, 3);                           // [B, h, N, d]
            k = _qkv.Part(x, 1).Reshape(b, n, h, d).Permute(0, 2, 1, 3);
            v = _qkv.Part(x, 2).Reshape(b, n, h, d).Permute(0, 2, 1, 3);
        }
        // Scaling q before the product, as the zoo's mixer does.
        q = Functional.Mul(q, MathF.Pow(d, -0.5f));
        var attn = Functional.Softmax(Functional.MatMul(q, k.Transpose(2, 3)));                    // [B, h, N, N]
        var mixed = Functional.MatMul(attn, v).Transpose(1, 2).Contiguous().Reshape(b, n, inner);  // [B, N, h·d]
        return _proj!.Forward(mixed);                                                              // [B, N, C·g/h]
    }
}
