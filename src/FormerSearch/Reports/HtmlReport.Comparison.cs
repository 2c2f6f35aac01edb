using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Engine;

namespace FormerSearch.Reports;

public static partial class HtmlReport
{
    /// <summary>A model of a <c>former compare</c> results file: its mean test accuracy after training, at its MACs.</summary>
    private sealed record ComparedPoint(string Name, string Kind, long Params, long Macs, double Accuracy, double? Sd, int Seeds, bool InBudget);

    private const string ComparisonCaption =
        "<p>Squares are the models of the comparison, labelled: hand-designed baselines scaled to the budget (amber), the searched " +
        "architecture trained from scratch (green) and fine-tuned from its inherited weights (cyan), at their mean <em>test</em> accuracy " +
        "over the seeds after training; faded ones lie outside the budget. The circles are the search's candidates at their held-out " +
        "accuracy with inherited weights, so the two kinds of point measure different things.</p>\n";

    /// <summary>The rows of a comparison file.</summary>
    /// <exception cref="UserInputException">The file does not exist or is not a comparison.</exception>
    private static List<ComparedPoint> ReadComparison(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"The comparison file {path} does not exist.");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))!["rows"]!.AsArray().Select(r => r!.AsObject()).Select(r => new ComparedPoint(
                r["name"]!.GetValue<string>(), r["kind"]!.GetValue<string>(), r["params"]!.GetValue<long>(), r["macs"]!.GetValue<long>(),
                r["mean_test_acc"]!.GetValue<double>(), r["sd_test_acc"]?.GetValue<double>(), r["test_acc"]!.AsArray().Count, r["in_budget"]!.GetValue<bool>())).ToList();
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new UserInputException($"{path} is not a `former compare` results file: {e.Message}", e);
        }
    }

    // Squares with a label to their right, and the figures in the tooltip. Models of one budget sit close together: a label
    // that would overlap the one above it (within 11 px of height, 160 px of width) moves down below it.
    private static void ComparedPoints(StringBuilder sb, List<ComparedPoint> compared, Func<ComparedPoint, double> x, Func<ComparedPoint, double> y)
    {
        var placed = new List<(double X, double Y)>();
        var labelYs = new Dictionary<ComparedPoint, double>(ReferenceEqualityComparer.Instance);
        foreach (var c in compared.OrderBy(y).ThenBy(x))
        {
            double at = y(c) + 3;
            while (placed.Any(p => Math.Abs(p.X - x(c)) < 160 && Math.Abs(p.Y - at) < 11)) at += 11;
            placed.Add((x(c), at));
            labelYs[c] = at;
        }
        foreach (var c in compared)
        {
            double labelY = labelYs[c];
            string kind = c.Kind == Pipeline.ComparisonEntry.Baseline ? "baseline" : c.Kind == Pipeline.ComparisonEntry.Searched ? "searched" : "inherited";
            string sd = c.Sd is { } s ? " ± " + Acc(s) : "";
            sb.Append("<g class=\"compared\"><rect class=\"cmp ").Append(kind).Append(c.InBudget ? "" : " out").Append("\" x=\"").Append(F(x(c) - 4)).Append("\" y=\"")
              .Append(F(y(c) - 4)).Append("\" width=\"8\" height=\"8\"><title>")
              .Append(E(string.Create(CultureInfo.InvariantCulture, $"{c.Name} ({c.Kind})\ntest acc. {Acc(c.Accuracy)}{sd} over {c.Seeds} seed(s), {Millions(c.Params)} M params, {Millions(c.Macs)} MMACs")))
              .Append("</title></rect><text class=\"cmplabel\" x=\"").Append(F(x(c) + 6)).Append("\" y=\"").Append(F(labelY)).Append("\">")
              .Append(E(c.Kind == Pipeline.ComparisonEntry.Baseline ? c.Name : $"{c.Name}, {c.Kind}")).Append("</text></g>\n");
        }
    }
}
