using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace FormerSearch.Pipeline;

/// <summary>The text table of a comparison (<see cref="Comparison.ResultsFile"/>): one row per model, best mean test accuracy first.</summary>
public static class ComparisonTable
{
    /// <summary>
    /// The rows of <paramref name="comparison"/> as aligned text: model, kind, epochs, params, MACs, test accuracy as
    /// mean ± sd over the seeds (n), latency at batch 1 and 64, and the shape; a model outside the budget is starred.
    /// </summary>
    public static string Format(JsonObject comparison)
    {
        var rows = comparison["rows"]!.AsArray().Select(r => r!.AsObject()).OrderByDescending(r => r["mean_test_acc"]!.GetValue<double>()).ToList();
        var cells = new List<string[]> { new[] { "model", "kind", "epochs", "params", "MACs", "test acc. (mean ± sd, n)", "ms b1", "ms b64", "shape" } };
        foreach (var r in rows)
        {
            int n = r["test_acc"]!.AsArray().Count;
            double mean = r["mean_test_acc"]!.GetValue<double>();
            string sd = r["sd_test_acc"] is { } s ? " ± " + (100 * s.GetValue<double>()).ToString("0.00", CultureInfo.InvariantCulture) : "";
            cells.Add(
            [
                r["name"]!.GetValue<string>() + (r["in_budget"]!.GetValue<bool>() ? "" : " *"),
                r["kind"]!.GetValue<string>(),
                r["epochs"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture),
                BudgetText.Short(r["params"]!.GetValue<long>()),
                BudgetText.Short(r["macs"]!.GetValue<long>()),
                $"{(100 * mean).ToString("0.00", CultureInfo.InvariantCulture)}{sd} ({n})",
                r["latency_ms_batch1"]!.GetValue<double>().ToString("0.00", CultureInfo.InvariantCulture),
                r["latency_ms_batch64"]!.GetValue<double>().ToString("0.0", CultureInfo.InvariantCulture),
                Shorten(r["arch"]!.GetValue<string>(), 60),
            ]);
        }
        var widths = Enumerable.Range(0, cells[0].Length).Select(c => cells.Max(row => row[c].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in cells)
            sb.AppendLine(string.Join("  ", row.Select((cell, c) => c is >= 2 and <= 7 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        if (rows.Any(r => !r["in_budget"]!.GetValue<bool>())) sb.AppendLine("* outside the budget: no scaling of it reached the window (the nearest is shown).");
        return sb.ToString();
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
