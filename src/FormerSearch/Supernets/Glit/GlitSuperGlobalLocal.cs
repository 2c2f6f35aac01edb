using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// One head split of a GLiT block's mixer (the zoo's <see cref="Models.Blocks.GlobalLocalAttention"/>) at the largest
/// expansions and kernel: <c>g</c> global heads over the first <c>g·C/h</c> channels (<c>qkv</c>, <c>proj</c>) beside
/// <c>l</c> local heads over the rest (<c>net</c>). Each split has its own weights (SPOS style); inside a split the
/// Q-K-V width is entangled as AutoFormer's <c>qkv_super</c> does it: q, k and v each use their leading
/// <c>g·w</c> rows of the largest q, k and v (three GEMMs over views of one weight), and <c>proj</c> the leading columns.
/// </summary>
public sealed class GlitSuperGlobalLocal : Module
{
    private readonly GlitSuperLinear? _qkv;
    private readonly GlitSuperLinear? _proj;
    private readonly GlitSuperConvHeads? _net;

    /// <summary>A split of <paramref name="globalHeads"/> + <paramref name="localHeads"/> heads of <paramref name="headDim"/> channels each, at the largest expansions and kernel.</summary>
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
            MaxGlobalInner = globalHeads * (int)(headDim * maxGlobalExpansion);
            _qkv = RegisterModule("qkv", new GlitSuperLinear(GlobalDim, 3 * MaxGlobalInner, pointwiseConv: false, generator));
            _proj = RegisterModule("proj", new GlitSuperLinear(MaxGlobalInner, GlobalDim, pointwiseConv: false, generator));
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

    /// <summary>Tokens <c>[B, N, C]</c> → <c>[B, N, C]</c> with e_v <paramref name="globalExpansion"/>, e_c <paramref name="localExpansion"/> and kernel <paramref name="kernel"/>.</summary>
    public Tensor Forward(Tensor x, float globalExpansion, int localExpansion, int kernel)
    {
        if (_net is null) return Global(x, globalExpansion);
        if (_qkv is null) return _net.Forward(x, localExpansion, kernel);
        var global = Global(x.Narrow(2, 0, GlobalDim), globalExpansion);                           // [B, N, C·g/h]
        var local = _net.Forward(x.Narrow(2, GlobalDim, LocalDim), localExpansion, kernel);       // [B, N, C·l/h]
        return Functional.Concat([global, local], 2);                                             // [B, N, C]
    }

    private Tensor Global(Tensor x, float globalExpansion)
    {
        int b = x.Size(0), n = x.Size(1), h = GlobalHeads, d = (int)(HeadDim * globalExpansion), inner = h * d;
        Tensor q, k, v;
        if (inner == MaxGlobalInner)
        {
            // The whole weight: one GEMM, as the standalone model.
            var qkv = _qkv!.Forward(x, 0, 3 * inner).Reshape(b, n, 3, h, d).Permute(2, 0, 3, 1, 4);   // [3, B, h, N, d]
            (q, k, v) = (qkv.Select(0, 0), qkv.Select(0, 1), qkv.Select(0, 2));
        }
        else
        {
            x = x.Contiguous();                                                                    // read by three GEMMs
            q = _qkv!.Forward(x, 0, inner).Reshape(b, n, h, d).Permute(0, 2, 1, 3);               // [B, h, N, d]
            k = _qkv.Forward(x, MaxGlobalInner, inner).Reshape(b, n, h, d).Permute(0, 2, 1, 3);
            v = _qkv.Forward(x, 2 * MaxGlobalInner, inner).Reshape(b, n, h, d).Permute(0, 2, 1, 3);
        }
        // Scaling q before the product, as the zoo's mixer does.
        q = Functional.Mul(q, MathF.Pow(d, -0.5f));
        var attn = Functional.Softmax(Functional.MatMul(q, k.Transpose(2, 3)));                    // [B, h, N, N]
        var mixed = Functional.MatMul(attn, v).Transpose(1, 2).Contiguous().Reshape(b, n, inner);  // [B, N, h·d]
        return _proj!.Forward(mixed, 0, GlobalDim);                                                // [B, N, C·g/h]
    }

    /// <summary>Copies the active slices into the zoo mixer's tensors named <paramref name="prefix"/><c>qkv.weight</c>, <c>net.1.weight</c>, ….</summary>
    public void CopyInto(IReadOnlyDictionary<string, Tensor> target, string prefix, float globalExpansion, int localExpansion, int kernel)
    {
        if (_qkv is not null)
        {
            int inner = GlobalHeads * (int)(HeadDim * globalExpansion);
            var w = target[prefix + "qkv.weight"];
            var bias = target[prefix + "qkv.bias"];
            for (int t = 0; t < 3; t++)
            {
                var (ws, bs) = _qkv.Slice(t * MaxGlobalInner, inner, GlobalDim);
                w.Narrow(0, t * inner, inner).CopyFrom(ws);
                bias.Narrow(0, t * inner, inner).CopyFrom(bs);
            }
            var (pw, pb) = _proj!.Slice(0, GlobalDim, inner);
            target[prefix + "proj.weight"].CopyFrom(pw);
            target[prefix + "proj.bias"].CopyFrom(pb);
        }
        _net?.CopyInto(target, prefix + "net.", localExpansion, kernel);
    }
}
