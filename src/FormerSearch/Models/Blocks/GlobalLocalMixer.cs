using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// GLiT's split of a token's channels between its heads (Chen et al., ICCV 2021): of <c>(g + l)·HeadDim</c> channels the
/// first <see cref="GlobalDim"/> go through <c>g</c> global (self-attention) heads, the last <see cref="LocalDim"/> through
/// <c>l</c> local (convolution) heads, and the two outputs are concatenated back. The zoo's
/// <see cref="GlobalLocalAttention"/> and the supernet's head split share this frame and supply the two kinds of heads.
/// </summary>
public abstract class GlobalLocalMixer : Layer
{
    /// <summary>A split of <paramref name="globalHeads"/> + <paramref name="localHeads"/> heads of <paramref name="headDim"/> channels each.</summary>
    /// <exception cref="ArgumentException">There is no head, a count is negative or the head width is not positive.</exception>
    protected GlobalLocalMixer(int headDim, int globalHeads, int localHeads)
    {
        if (headDim < 1) throw new ArgumentException($"A global-local mixer needs heads of positive width; got {headDim} channels.");
        HeadDim = headDim;
        SetSplit(globalHeads, localHeads);
    }

    /// <summary>Channels per head.</summary>
    public int HeadDim { get; }

    /// <summary>Global (self-attention) heads.</summary>
    public int GlobalHeads { get; private set; }

    /// <summary>Local (convolution) heads.</summary>
    public int LocalHeads { get; private set; }

    /// <summary>Channels the global heads read: the first ones.</summary>
    public int GlobalDim => GlobalHeads * HeadDim;

    /// <summary>Channels the local heads read: the last ones.</summary>
    public int LocalDim => LocalHeads * HeadDim;

    /// <summary>Makes the split <paramref name="globalHeads"/> + <paramref name="localHeads"/> (a supernet mixer whose splits share weights changes it).</summary>
    /// <exception cref="ArgumentException">There is no head or a count is negative.</exception>
    protected void SetSplit(int globalHeads, int localHeads)
    {
        if (globalHeads < 0 || localHeads < 0 || globalHeads + localHeads < 1)
            throw new ArgumentException($"A global-local mixer needs at least one head; got {globalHeads} global and {localHeads} local.");
        GlobalHeads = globalHeads;
        LocalHeads = localHeads;
    }

    /// <summary>Width of each global head's q, k and v (the active one in a supernet; 0 without global heads).</summary>
    public int HeadWidth { get; protected set; }

    /// <summary>Tokens <c>[B, N, C]</c> → <c>[B, N, C]</c>, C = <see cref="GlobalDim"/> + <see cref="LocalDim"/>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[B, N, C]</c>.</exception>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 3 || x.Size(2) != GlobalDim + LocalDim)
            throw new ArgumentException($"A global-local mixer of width {GlobalDim + LocalDim} takes [B, N, {GlobalDim + LocalDim}]; got {Tensor.FormatShape(x.Shape)}.");
        if (LocalHeads == 0) return Global(x);
        if (GlobalHeads == 0) return Local(x);
        var global = Global(x.Narrow(2, 0, GlobalDim));                 // [B, N, C·g/h]
        var local = Local(x.Narrow(2, GlobalDim, LocalDim));            // [B, N, C·l/h]
        return Functional.Concat([global, local], 2);                  // [B, N, C]
    }

    /// <summary>The global heads over their channels: <c>[B, N, GlobalDim]</c> → the same shape.</summary>
    protected abstract Tensor Global(Tensor x);

    /// <summary>The local heads over their channels: <c>[B, N, LocalDim]</c> → the same shape.</summary>
    protected abstract Tensor Local(Tensor x);
}
