namespace FormerSearch.Spaces;

/// <summary>How a choice's values relate to each other.</summary>
public enum ChoiceKind
{
    /// <summary>Ordered from smallest to largest (depth, width, heads, ratio): samplers pick ends of the order, entangled weights share slices.</summary>
    Size,

    /// <summary>Unordered alternatives (an op, a norm, an activation): each has its own weights.</summary>
    Operation,
}
