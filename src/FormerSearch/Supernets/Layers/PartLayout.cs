namespace FormerSearch.Supernets.Layers;

/// <summary>Where the rows of each part (q, k, v; GLU value and gate) of a multi-part <see cref="SlicedLinear"/> lie.</summary>
public enum PartLayout
{
    /// <summary>Part <c>p</c> is the band of rows <c>[p·MaxOut, (p+1)·MaxOut)</c>; its active rows lead its band, and so does its bias.</summary>
    Stacked,

    /// <summary>
    /// AutoFormer's <c>qkv_super</c>: row <c>parts·i + p</c> is channel <c>i</c> of part <c>p</c> (official <c>sample_weight</c>:
    /// <c>cat([w[p:parts·out:parts] for p])</c>), while the bias is the plain prefix of <c>parts·out</c> elements
    /// (official <c>sample_bias</c>), so part <c>p</c>'s bias is <c>b[p·out, (p+1)·out)</c>.
    /// </summary>
    Interleaved,
}
