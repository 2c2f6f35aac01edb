namespace FormerSearch.Models;

/// <summary>
/// The meso level of a BurgerFormer stage (the official <c>meso</c> dictionary): three sub-blocks — the outer
/// two at the stage width, the middle one expanded by the stage ratio — wired by residual edges
/// <c>j->i</c> from node j (0 is the block input, i the output of sub-block i) into sub-block i's output:
/// <code>
/// x1 = f1(x0) + [0->1]·x0
/// x2 = f2(x1) + [0->2]·x0 + [1->2]·x1
/// x3 = f3(x2) + [0->3]·x0 + [1->3]·x1 + [2->3]·x2      (the block's output)
/// </code>
/// </summary>
public sealed record BurgerFormerMesoConfig
{
    /// <summary>The official edge keys, in the order the official <c>Block</c> creates them.</summary>
    public static IReadOnlyList<string> EdgeKeys { get; } = ["0->1", "0->2", "1->2", "0->3", "1->3", "2->3"];

    /// <summary>The fixed skip pattern of the official search (<c>search_residual=False</c>): 0->1, 1->2, 2->3.</summary>
    public static IReadOnlyList<bool> FixedEdges { get; } = [true, false, true, false, false, true];

    /// <summary>Sub-blocks 1, 2 (expanded) and 3.</summary>
    public required IReadOnlyList<BurgerFormerMicroConfig> SubBlocks { get; init; }

    /// <summary>Edge present (<c>'skip'</c>) or absent (<c>'none'</c>), in <see cref="EdgeKeys"/> order. Default: <see cref="FixedEdges"/>.</summary>
    public IReadOnlyList<bool> Edges { get; init; } = FixedEdges;

    /// <summary>Whether edge <paramref name="from"/>-><paramref name="to"/> (0 ≤ from &lt; to ≤ 3) is present.</summary>
    public bool HasEdge(int from, int to) => Edges[EdgeIndex(from, to)];

    /// <summary>Value equality: the same sub-blocks and edges.</summary>
    public bool Equals(BurgerFormerMesoConfig? other) =>
        other is not null && SubBlocks.SequenceEqual(other.SubBlocks) && Edges.SequenceEqual(other.Edges);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var s in SubBlocks) hash.Add(s);
        foreach (bool e in Edges) hash.Add(e);
        return hash.ToHashCode();
    }

    /// <summary>Position of edge <paramref name="from"/>-><paramref name="to"/> in <see cref="EdgeKeys"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not an edge of a three-sub-block cell.</exception>
    public static int EdgeIndex(int from, int to)
    {
        if (to < 1 || to > 3 || from < 0 || from >= to) throw new ArgumentOutOfRangeException(nameof(to), $"{from}->{to} is not an edge of a BurgerFormer block.");
        return to * (to - 1) / 2 + from;
    }
}
