namespace FormerSearch.Spaces;

/// <summary>A rule every architecture of a space must keep beyond its choices' values (BurgerFormer: a residual path through each cell).</summary>
/// <param name="Violation">One sentence saying what an architecture that breaks the rule does wrong.</param>
/// <param name="Holds">Whether the rule holds for the canonical values of an architecture.</param>
public sealed record ArchitectureRule(string Violation, Func<ChoiceValues, bool> Holds);
