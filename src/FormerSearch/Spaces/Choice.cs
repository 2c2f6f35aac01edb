namespace FormerSearch.Spaces;

/// <summary>
/// One named discrete decision of a search space, e.g. <c>layer7.heads ∈ {3, 4}</c>. Values are kept as their
/// canonical text (numbers in invariant culture, shortest form) so every space and the study store treat them alike.
/// </summary>
/// <param name="Name">Dotted name, unique in its space (<c>depth</c>, <c>layer3.mlp_ratio</c>, <c>stage2.block.op1</c>).</param>
/// <param name="Values">The allowed values; for <see cref="ChoiceKind.Size"/> choices in increasing order.</param>
/// <param name="Kind">Ordered sizes or unordered alternatives.</param>
/// <param name="Group">The group a hierarchical search fixes or searches as a whole (GLiT: <c>distribution</c> / <c>detail</c>; BurgerFormer: <c>macro</c> / <c>meso</c> / <c>micro</c>; AutoFormer: <c>size</c>).</param>
public sealed record Choice(string Name, IReadOnlyList<string> Values, ChoiceKind Kind, string Group)
{
    /// <summary>The smallest value (the first).</summary>
    public string Smallest => Values[0];

    /// <summary>The largest value (the last).</summary>
    public string Largest => Values[^1];

    /// <summary>True when <paramref name="value"/> is one of <see cref="Values"/>.</summary>
    public bool Allows(string value)
    {
        foreach (var v in Values)
            if (v == value) return true;
        return false;
    }
}
