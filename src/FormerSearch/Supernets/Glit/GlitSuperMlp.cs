using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// A GLiT block's MLP (<c>fc1</c>, GELU, dropout, <c>fc2</c>, dropout, as timm's <c>Mlp</c>) at the largest ratio; a
/// smaller ratio uses the leading hidden channels (rows of <c>fc1</c>, columns of <c>fc2</c>).
/// </summary>
public sealed class GlitSuperMlp : Module
{
    private readonly GlitSuperLinear _fc1;
    private readonly GlitSuperLinear _fc2;
    private readonly Dropout _drop;

    /// <summary>An MLP <paramref name="dim"/> → at most <paramref name="maxHidden"/> → <paramref name="dim"/>.</summary>
    public GlitSuperMlp(int dim, int maxHidden, float drop, Generator generator)
    {
        Dim = dim;
        MaxHidden = maxHidden;
        _fc1 = RegisterModule("fc1", new GlitSuperLinear(dim, maxHidden, pointwiseConv: false, generator));
        _fc2 = RegisterModule("fc2", new GlitSuperLinear(maxHidden, dim, pointwiseConv: false, generator));
        _drop = RegisterModule("drop", new Dropout(drop, generator));
    }

    /// <summary>Input and output width.</summary>
    public int Dim { get; }

    /// <summary>Largest hidden width.</summary>
    public int MaxHidden { get; }

    /// <summary><c>[B, N, Dim]</c> → <c>[B, N, Dim]</c> through <paramref name="hidden"/> hidden channels.</summary>
    public Tensor Forward(Tensor x, int hidden)
    {
        var h = _drop.Forward(Functional.Gelu(_fc1.Forward(x, 0, hidden)));     // [B, N, hidden]
        return _drop.Forward(_fc2.Forward(h, 0, Dim));                         // [B, N, Dim]
    }

    /// <summary>Copies the active slices into the zoo's <paramref name="prefix"/><c>fc1.weight</c>, ….</summary>
    public void CopyInto(IReadOnlyDictionary<string, Tensor> target, string prefix, int hidden)
    {
        var (w1, b1) = _fc1.Slice(0, hidden, Dim);
        target[prefix + "fc1.weight"].CopyFrom(w1);
        target[prefix + "fc1.bias"].CopyFrom(b1);
        var (w2, b2) = _fc2.Slice(0, Dim, hidden);
        target[prefix + "fc2.weight"].CopyFrom(w2);
        target[prefix + "fc2.bias"].CopyFrom(b2);
    }
}
