using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Search;

namespace FormerSearch.Pipeline;

/// <summary>
/// The rule that scales a hand-designed model to a budget, as EfficientNet's compound scaling in its simplest form:
/// <list type="number">
/// <item>depths and widths together: every depth × s (rounded, at least 1) and every width × s (rounded to the family's
/// grain, see <see cref="BaselineTemplate"/>), for s on a 1 % geometric grid from 1/64 to 4; the s whose cost is nearest the
/// target (in ratio) among those inside every window;</item>
/// <item>then, the depths of that s kept, the widths alone × t, for t within 0.7–1.4 s on a 0.5 % grid: again the nearest the
/// target inside every window (this undoes most of the rounding of step 1); when no width fits with those depths (depths
/// come in whole blocks), the depths of the scales from s/2 to 2s are tried, nearest s first, until one fits.</item>
/// </list>
/// The cost is the MACs when the budget bounds them, else the parameters; the target is a two-sided window's middle, or its one
/// bound. Nothing is built: the zoo's profile formulas give params and MACs.
/// </summary>
public static class BaselineScaling
{
    /// <summary>The baselines <c>former compare</c> trains by default: PoolFormer-S12, our 28×28 PoolFormer, the five MetaFormer baselines, DeiT-Tiny, BurgerFormer-Tiny.</summary>
    public static IReadOnlyList<string> DefaultBaselines { get; } =
    [
        "poolformer_s12", "poolformer_mini", "metaformer_id_s12", "metaformer_pppa_s12", "metaformer_ppaa_s12", "metaformer_pppf_s12", "metaformer_ppff_s12",
        "deit_tiny", "burgerformer_tiny",
    ];

    /// <summary>Registered model <paramref name="name"/> scaled to <paramref name="budget"/> at <paramref name="options"/>' input and classes.</summary>
    /// <exception cref="UserInputException">The budget bounds neither params nor MACs, the model is unknown or not a hand-designed family, or no scale of it can be built at this input.</exception>
    public static ScaledBaseline Scale(string name, ModelOptions options, Constraints budget)
    {
        var (onMacs, target) = Target(budget);
        var template = BaselineTemplate.For(name, options.Input);
        var profiles = new Dictionary<string, (ModelEntry Entry, ModelProfile Profile)>(StringComparer.Ordinal);
        (ModelEntry Entry, string Description, ModelProfile Profile)? Try(double depth, double width)
        {
            var (entry, description) = template.Make(depth, width);
            if (!profiles.TryGetValue(description, out var known))
            {
                try { known = (entry, entry.Profile(options)); }
                catch (UserInputException) { return null; } // too small or too large for this input: not a candidate
                profiles[description] = known;
            }
            return (known.Entry, description, known.Profile);
        }

        var grid = Enumerable.Range(-418, 558).Select(k => Math.Pow(1.01, k)).ToList(); // 1/64 … 4
        var (s, _) = Nearest(grid.Select(x => (x, Try(x, x))), budget, onMacs, target)
            ?? throw new UserInputException($"{name} cannot be built at {options.Input} at any scale.");
        var widths = Enumerable.Range(-71, 142).Select(k => s * Math.Pow(1.005, k)).ToList(); // 0.7 s … 1.42 s
        var (t, best) = Nearest(widths.Select(x => (x, Try(s, x))), budget, onMacs, target)!.Value;
        double depth = s;
        // Depths come in whole blocks: when none of these widths fits the window, the depths of the neighbouring scales may.
        foreach (double d in grid.Where(d => d >= s / 2 && d <= 2 * s).OrderBy(d => Math.Abs(Math.Log(d / s))))
        {
            if (budget.Admits(best.Profile.Params, best.Profile.Macs, null)) break;
            if (Nearest(widths.Select(x => (x, Try(d, x))), budget, onMacs, target) is { } other && budget.Admits(other.Model.Profile.Params, other.Model.Profile.Macs, null))
                (depth, t, best) = (d, other.Scale, other.Model);
        }
        return new ScaledBaseline(template.Name, template.Family, depth, t, best.Description, best.Entry, best.Profile,
            budget.Admits(best.Profile.Params, best.Profile.Macs, null));
    }

    /// <summary>Which cost the rule aims at (MACs when bounded, else params) and its target: a two-sided window's middle, else its one bound.</summary>
    /// <exception cref="UserInputException">The budget bounds neither.</exception>
    public static (bool OnMacs, double Target) Target(Constraints budget)
    {
        var window = budget.Macs.IsBounded ? budget.Macs : budget.Params.IsBounded ? budget.Params
            : throw new UserInputException("A comparison needs a budget: give --macs, --params or both.");
        double target = window is { Min: { } lo, Max: { } hi } ? (lo + hi) / 2 : window.Max ?? window.Min!.Value;
        return (budget.Macs.IsBounded, target);
    }

    // The candidate nearest the target in ratio among those inside the budget, or among all when none is; ties go to the cheaper.
    private static (double Scale, (ModelEntry Entry, string Description, ModelProfile Profile) Model)? Nearest(
        IEnumerable<(double Scale, (ModelEntry Entry, string Description, ModelProfile Profile)? Model)> candidates, Constraints budget, bool onMacs, double target)
    {
        var built = candidates.Where(c => c.Model is not null).Select(c => (c.Scale, Model: c.Model!.Value)).ToList();
        if (built.Count == 0) return null;
        var inside = built.Where(c => budget.Admits(c.Model.Profile.Params, c.Model.Profile.Macs, null)).ToList();
        double Cost(ModelProfile p) => onMacs ? p.Macs : p.Params;
        return (inside.Count > 0 ? inside : built)
            .OrderBy(c => Math.Abs(Math.Log(Math.Max(1, Cost(c.Model.Profile)) / Math.Max(1, target))))
            .ThenBy(c => Cost(c.Model.Profile)).First();
    }
}
