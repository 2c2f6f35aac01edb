using FormerSearch.Models;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Pipeline;

/// <summary>A hand-designed model scaled to a budget by <see cref="BaselineScaling"/>.</summary>
/// <param name="Name">The registered model it was scaled from.</param>
/// <param name="Family">Its family.</param>
/// <param name="DepthScale">The factor its depths were multiplied by (before rounding).</param>
/// <param name="WidthScale">The factor its widths were multiplied by (before rounding).</param>
/// <param name="Description">Its scaled shape (depths, widths).</param>
/// <param name="Entry">Builder and profile of the scaled model.</param>
/// <param name="Profile">Its params and MACs at the comparison's input.</param>
/// <param name="InBudget">Whether its params and MACs are inside every window of the budget (false: no scaling reached it; the nearest is kept).</param>
public sealed record ScaledBaseline(string Name, string Family, double DepthScale, double WidthScale, string Description, ModelEntry Entry, ModelProfile Profile,
    bool InBudget);
