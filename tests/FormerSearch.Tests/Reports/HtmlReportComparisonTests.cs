using System.Globalization;
using System.Xml.Linq;
using FormerSearch.Engine;
using FormerSearch.Reports;
using FormerSearch.Search;
using FormerSearch.Tests.Search;

namespace FormerSearch.Tests.Reports;

/// <summary>The report with a <c>former compare</c> results file: its models as labelled points on the accuracy-vs-MACs chart.</summary>
public sealed class HtmlReportComparisonTests
{
    private const string Comparison = """
        {"rows": [
          {"name": "poolformer_s12", "kind": "baseline", "params": 1241970, "macs": 3605976, "in_budget": true, "test_acc": [0.91, 0.92], "mean_test_acc": 0.915, "sd_test_acc": 0.007},
          {"name": "deit_tiny", "kind": "baseline", "params": 60394, "macs": 9000000, "in_budget": false, "test_acc": [0.50], "mean_test_acc": 0.50, "sd_test_acc": null},
          {"name": "burger-mini searched (s)", "kind": "searched, inherited", "params": 652000, "macs": 3600000, "in_budget": true, "test_acc": [0.9], "mean_test_acc": 0.9, "sd_test_acc": null}
        ]}
        """;

    [Fact]
    public void Compared_models_are_labelled_squares_inside_the_axes()
    {
        using var dir = new TempDir();
        string study = dir.File("s.db");
        EvolutionSearchTests.Run(new EvolutionSearch(new EvolutionSettings { Generations = 2, Population = 10, Parents = 3, Mutations = 4, Crossovers = 4 }, 1), study,
            new SynthEvaluator(), new Constraints { Macs = new CostWindow(null, 4_000_000) });
        File.WriteAllText(dir.File("comparison.json"), Comparison);
        string html = HtmlReport.Render([study], new ReportOptions { Comparison = dir.File("comparison.json") });
        var svg = XDocument.Parse(html.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal)).Descendants("svg").First();

        var groups = svg.Descendants("g").Where(g => (string?)g.Attribute("class") == "compared").ToList();
        Assert.Equal(["poolformer_s12", "deit_tiny", "burger-mini searched (s), searched, inherited"], groups.Select(g => g.Element("text")!.Value));
        var squares = groups.Select(g => g.Element("rect")!).ToList();
        Assert.Equal(["cmp baseline", "cmp baseline out", "cmp inherited"], squares.Select(r => (string)r.Attribute("class")!));
        Assert.Contains("test acc. 0.915 ± 0.007 over 2 seed(s)", squares[0].Value);
        // The axes stretch to hold every point: the 50 % baseline at 9 MMACs sits inside the plot, below and right of the rest.
        var plot = svg.Elements("rect").Single(r => (string?)r.Attribute("class") == "plot");
        double Num(XElement e, string a) => double.Parse((string)e.Attribute(a)!, CultureInfo.InvariantCulture);
        foreach (var r in squares)
        {
            Assert.InRange(Num(r, "x") + 4, Num(plot, "x"), Num(plot, "x") + Num(plot, "width"));
            Assert.InRange(Num(r, "y") + 4, Num(plot, "y"), Num(plot, "y") + Num(plot, "height"));
        }
        Assert.True(Num(squares[1], "y") > Num(squares[0], "y"));
        Assert.True(Num(squares[1], "x") > Num(squares[0], "x"));
        Assert.Contains("<em>test</em> accuracy", html);
        // Labels of points at one height do not overlap: each lies at least a line below the one above it.
        File.WriteAllText(dir.File("close.json"), Comparison.Replace("0.50", "0.915", StringComparison.Ordinal).Replace("9000000", "3605976", StringComparison.Ordinal));
        var close = XDocument.Parse(HtmlReport.Render([study], new ReportOptions { Comparison = dir.File("close.json") }).Replace("<!DOCTYPE html>", "", StringComparison.Ordinal));
        var ys = close.Descendants("text").Where(t => (string?)t.Attribute("class") == "cmplabel").Select(t => Num(t, "y")).Order().ToList();
        Assert.Equal(3, ys.Count);
        for (int i = 1; i < ys.Count; i++) Assert.True(ys[i] - ys[i - 1] >= 11, string.Join(", ", ys));
    }

    [Fact]
    public void Without_a_comparison_nothing_changes_and_a_bad_file_is_a_user_error()
    {
        using var dir = new TempDir();
        string study = dir.File("s.db");
        EvolutionSearchTests.Run(new RandomSearch(new RandomSearchSettings { Budget = 6, BatchSize = 3 }, 1), study, new SynthEvaluator(), Constraints.None);
        Assert.DoesNotContain("class=\"compared\"", HtmlReport.Render([study], new ReportOptions()));
        File.WriteAllText(dir.File("bad.json"), "{\"rows\": 3}");
        Assert.Throws<UserInputException>(() => HtmlReport.Render([study], new ReportOptions { Comparison = dir.File("bad.json") }));
        Assert.Throws<UserInputException>(() => HtmlReport.Render([study], new ReportOptions { Comparison = dir.File("missing.json") }));
    }
}
