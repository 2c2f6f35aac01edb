using System.Globalization;

namespace FormerSearch.Spaces;

/// <summary>
/// The name of one choice of a search space (<c>depth</c>, <c>layer3.heads</c>, <c>stage2.sub1.op</c>), written once
/// in the space's choice definitions (<see cref="AutoFormerChoices"/>, <see cref="GlitChoices"/>,
/// <see cref="BurgerChoices"/>) and read through its typed form <see cref="ChoiceKey{T}"/>.
/// </summary>
public abstract class ChoiceKey
{
    /// <summary>A key named <paramref name="name"/>.</summary>
    protected ChoiceKey(string name) => Name = name;

    /// <summary>The dotted name, as architectures and studies store it.</summary>
    public string Name { get; }

    /// <summary>An integer choice (depths, widths, heads, kernels), written in invariant culture.</summary>
    public static ChoiceKey<int> Integer(string name) =>
        new(name, text => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture), value => value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A real-valued choice (ratios, expansions), written in invariant culture's shortest round-trip form (<c>3.5</c>, <c>4</c>).</summary>
    public static ChoiceKey<float> Number(string name) =>
        new(name, text => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), value => value.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public override string ToString() => Name;
}
