using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Training;

namespace FormerSearch.Pipeline;

/// <summary>One model of a comparison, trained once per seed: a scaled baseline, a searched architecture from scratch, or a searched one from its inherited weights.</summary>
/// <param name="Id">Its folder under the comparison's <c>runs/</c> (letters, digits, '-', '_', '.').</param>
/// <param name="Name">How the table names it.</param>
/// <param name="Kind"><c>baseline</c>, <c>searched</c> or <c>searched, inherited</c>.</param>
/// <param name="Description">Its shape (depths and widths).</param>
/// <param name="Model">Builder of the model.</param>
/// <param name="Profile">Its params and MACs at the comparison's input.</param>
/// <param name="InBudget">Whether it is inside the budget.</param>
/// <param name="Recipe">How it is trained.</param>
/// <param name="InitWeights">Weights it starts from (inherited from a supernet), or null for a fresh initialisation.</param>
public sealed record ComparisonEntry(string Id, string Name, string Kind, string Description, ModelEntry Model, ModelProfile Profile, bool InBudget,
    TrainingOptions Recipe, string? InitWeights = null)
{
    /// <summary>A searched architecture's canonical string; null for a baseline.</summary>
    public string? Key { get; init; }

    /// <summary>Kind of a hand-designed model scaled to the budget.</summary>
    public const string Baseline = "baseline";

    /// <summary>Kind of a searched architecture trained from scratch.</summary>
    public const string Searched = "searched";

    /// <summary>Kind of a searched architecture fine-tuned from its inherited supernet weights.</summary>
    public const string Inherited = "searched, inherited";

    /// <summary>A baseline scaled by <see cref="BaselineScaling"/>, trained with <paramref name="recipe"/>.</summary>
    public static ComparisonEntry Of(ScaledBaseline baseline, TrainingOptions recipe) =>
        new(baseline.Name, baseline.Name, Baseline, baseline.Description, baseline.Entry, baseline.Profile, baseline.InBudget, recipe);

    /// <summary>
    /// The searched model twice: from scratch with <paramref name="recipe"/>, and from its inherited weights with
    /// <paramref name="finetune"/> (AutoFormer's way); <paramref name="index"/> keeps the folders of several searches apart.
    /// </summary>
    public static IEnumerable<ComparisonEntry> Of(SearchedModel searched, int index, ModelOptions options, Search.Constraints budget, TrainingOptions recipe, TrainingOptions finetune)
    {
        var profile = searched.Entry.Profile(options);
        bool inBudget = budget.Admits(profile.Params, profile.Macs, null);
        string id = $"searched-{index}-{searched.Entry.Family}";
        yield return new(id, searched.Label, Searched, searched.Shape, searched.Entry, profile, inBudget, recipe) { Key = searched.Key };
        yield return new(id + "-inherited", searched.Label, Inherited, searched.Shape, searched.Entry, profile, inBudget, finetune, searched.InheritedWeights) { Key = searched.Key };
    }
}
