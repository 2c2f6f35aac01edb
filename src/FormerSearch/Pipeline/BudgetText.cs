using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Search;

namespace FormerSearch.Pipeline;

/// <summary>
/// A cost window as people write it on a command line: <c>3.6M±10%</c> (also <c>3.6M+-10%</c>), <c>1M</c> (at most),
/// <c>MIN:MAX</c> with either side empty; numbers take the suffixes K, M and G (10³, 10⁶, 10⁹) and exponents (<c>36e5</c>).
/// </summary>
public static class BudgetText
{
    /// <summary>The window <paramref name="text"/> writes; <paramref name="option"/> names it in errors. Null text is unbounded.</summary>
    /// <exception cref="UserInputException">The text is not such a window of non-negative numbers, or its minimum exceeds its maximum.</exception>
    public static CostWindow Parse(string? text, string option)
    {
        if (text is null) return CostWindow.Unbounded;
        string t = text.Trim().Replace("+-", "±", StringComparison.Ordinal);
        CostWindow window;
        int pm = t.IndexOf('±');
        if (pm >= 0)
        {
            double centre = Number(t[..pm], text, option) ?? throw Invalid(text, option);
            string spread = t[(pm + 1)..];
            double delta = spread.EndsWith('%')
                ? centre * (Number(spread[..^1], text, option) ?? throw Invalid(text, option)) / 100
                : Number(spread, text, option) ?? throw Invalid(text, option);
            window = new CostWindow(Math.Max(0, centre - delta), centre + delta);
        }
        else
        {
            var parts = t.Split(':');
            window = parts.Length switch
            {
                1 => new CostWindow(null, Number(parts[0], text, option) ?? throw Invalid(text, option)),
                2 => new CostWindow(Number(parts[0], text, option), Number(parts[1], text, option)),
                _ => throw Invalid(text, option),
            };
        }
        if (window.Min > window.Max) throw new UserInputException($"{option} '{text}' is invalid: its minimum is above its maximum.");
        return window;
    }

    /// <summary>The bounded windows of <paramref name="budget"/> in short figures: <c>MACs 4.76M–5.81M, params ≤ 100K</c>, or <c>none</c>.</summary>
    public static string Describe(Search.Constraints budget)
    {
        static string Window(string name, CostWindow w) => (w.Min, w.Max) switch
        {
            ({ } lo, { } hi) => $"{name} {Short(lo)}–{Short(hi)}",
            (null, { } hi) => $"{name} ≤ {Short(hi)}",
            ({ } lo, null) => $"{name} ≥ {Short(lo)}",
            _ => "",
        };
        var parts = new[] { Window("MACs", budget.Macs), Window("params", budget.Params) }.Where(p => p.Length > 0).ToList();
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>A count the way the tables print it: 3.60M, 652K, 980.</summary>
    public static string Short(double value) => value switch
    {
        >= 1e9 => (value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + "G",
        >= 1e6 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "K",
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };

    private static double? Number(string s, string text, string option)
    {
        s = s.Trim();
        if (s.Length == 0) return null;
        double scale = char.ToUpperInvariant(s[^1]) switch { 'K' => 1e3, 'M' => 1e6, 'G' => 1e9, _ => 1 };
        if (scale != 1) s = s[..^1];
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v) ? v * scale
            : throw Invalid(text, option);
    }

    private static UserInputException Invalid(string text, string option) =>
        new($"{option} '{text}' is invalid: give MAX, MIN:MAX or CENTRE±P% as non-negative numbers, e.g. 1M, 3e6:4e6 or 3.6M±10%.");
}
