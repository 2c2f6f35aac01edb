using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets.Glit;

/// <summary>
/// A GLiT block's MLP (<c>fc1</c>, GELU, dropout, <c>fc2</c>, dropout, as timm's <c>Mlp</c>) at the largest ratio; a
/// smaller ratio uses the leading hidden channels (rows of <c>fc1</c>, columns of <c>fc2</c>).
/// </summary>
public sealed class GlitSuperMlp : Module
{
    private readonly SlicedLinear _fc1;
    private readonly SlicedLinear _fc2;
    private readonly Dropout _drop;

    /// <summary>An MLP <paramref name="dim"/> → at most <paramref name="maxHidden"/> → <paramref name="dim"/>, all of it active.</summary>
    public GlitSuperMlp(int dim, int maxHidden, float drop, Generator generator)
    {
        Dim = dim;
        _fc1 = RegisterModule("fc1", new SlicedLinear(dim, maxHidden, generator, SlicedInit.TruncNormal));
        _fc2 = RegisterModule("fc2", new SlicedLinear(maxHidden, dim, generator, SlicedInit.TruncNormal));
        _drop = RegisterModule("drop", new Dropout(drop, generator));
    }

    /// <summary>Input and output width.</summary>
    public int Dim { get; }

    /// <summary>Makes <paramref name="hidden"/> hidden channels active.</summary>
    /// <exception cref="ArgumentException">More hidden channels than the largest.</exception>
    public void Activate(int hidden)
    {
        _fc1.Activate(Dim, hidden);
        _fc2.Activate(hidden, Dim);
    }

    /// <summary><c>[B, N, Dim]</c> → <c>[B, N, Dim]</c> through the active hidden channels.</summary>
    public Tensor Forward(Tensor x)
    {
        var h = _drop.Forward(Functional.Gelu(_fc1.Forward(x)));     // [B, N, hidden]
        return _drop.Forward(_fc2.Forward(h));                       // [B, N, Dim]
    }
}
