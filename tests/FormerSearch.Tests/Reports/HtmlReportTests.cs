using FormerSearch.Engine;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FormerSearch.Reports;
using FormerSearch.Search;
using FormerSearch.Studies;
using FormerSearch.Tests.Search;

namespace FormerSearch.Tests.Reports;

public sealed class HtmlReportTests
{
    private static readonly SynthSpace Space = new();
    private static readonly Constraints Budget = new() { Macs = new CostWindow(null, 4_000_000) };

    [Fact]
    public void The_report_is_well_formed_self_contained_and_has_one_point_per_candidate()
    {
        using var dir = new TempDir();
        string path = dir.File("s.db");
        var settings = new EvolutionSettings { Generations = 4, Population = 20, Parents = 5, Mutations = 8, Crossovers = 8 };
        var evolution = EvolutionSearchTests.Run(new EvolutionSearch(settings, 1), path, new SynthEvaluator(), Budget);
        // A second algorithm in the same study: a run of its own, drawn beside the first.
        EvolutionSearchTests.Run(new RandomSearch(RandomSearchSettings.MatchingBudget(settings), 1), path, new SynthEvaluator(), Budget);
        string output = dir.File("report.html");
        HtmlReport.Write([path], output, new ReportOptions { TopK = 7, Title = "<b>synth & \"co\"</b>" });
        string html = File.ReadAllText(output);

        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>synth", html);
        Assert.Contains("&lt;b&gt;synth &amp; &quot;co&quot;&lt;/b&gt;", html);
        // Well formed as XML once the HTML5 doctype is dropped.
        var doc = XDocument.Parse(html.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal));
        var svgs = doc.Descendants("svg").ToList();
        Assert.Equal(2, svgs.Count);

        using var study = Study.Open(path, Space);
        var evaluated = study.Candidates().Where(c => c.ValidationAccuracy is not null).ToList();
        var points = svgs[0].Descendants("circle").Where(c => ((string?)c.Attribute("class") ?? "").Split(' ').Contains("pt")).ToList();
        Assert.Equal(evaluated.Count, points.Count);
        Assert.Contains(points, p => ((string)p.Attribute("class")!).Contains("pareto"));
        // One point per generation per run in the second chart, two lines.
        Assert.Equal(2 * settings.Generations, svgs[1].Descendants("circle").Count());
        Assert.Equal(2, svgs[1].Descendants("polyline").Count());

        var top = evaluated.OrderByDescending(c => c.ValidationAccuracy).Take(7).ToList();
        var table = doc.Descendants("table").Single(t => (string?)t.Attribute("class") == "top");
        Assert.Equal(7, table.Descendants("tbody").Single().Elements("tr").Count());
        foreach (var c in top) Assert.Contains(c.Key, html);
        // The run's own best is tagged, and first among equally accurate rows.
        var first = table.Descendants("tbody").Single().Elements("tr").First();
        Assert.Contains("best of evolution", first.ToString());
        Assert.Contains(evolution.Best.Key, first.ToString());
        // Per-stage summaries: each layer of the best architecture on a line of its own.
        Assert.Matches(new Regex(@"<b>layer0</b> <span class=""c g\d"">kind="), html);
    }

    [Fact]
    public void Several_studies_are_compared_and_a_missing_one_is_an_error()
    {
        using var dir = new TempDir();
        var settings = new EvolutionSettings { Generations = 2, Population = 10, Parents = 3, Mutations = 4, Crossovers = 4 };
        EvolutionSearchTests.Run(new EvolutionSearch(settings, 1), dir.File("evo.db"), new SynthEvaluator(), Budget);
        EvolutionSearchTests.Run(new RandomSearch(RandomSearchSettings.MatchingBudget(settings), 1), dir.File("rand.db"), new SynthEvaluator(), Budget);
        string html = HtmlReport.Render([dir.File("evo.db"), dir.File("rand.db")], new ReportOptions());
        Assert.Contains("evo.db: evolution", html);
        Assert.Contains("rand.db: random", html);
        var doc = XDocument.Parse(html.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal));
        Assert.Equal(40, doc.Descendants("svg").First().Descendants("circle").Count());
        Assert.Throws<UserInputException>(() => HtmlReport.Render([dir.File("none.db")], new ReportOptions()));
    }

    [Fact]
    public void Studies_with_one_file_name_are_told_apart_by_their_folders()
    {
        using var dir = new TempDir();
        var settings = new EvolutionSettings { Generations = 2, Population = 10, Parents = 3, Mutations = 4, Crossovers = 4 };
        string evolution = Path.Combine(dir.File("evo-run"), "study.sqlite"), random = Path.Combine(dir.File("random-run"), "study.sqlite");
        Directory.CreateDirectory(Path.GetDirectoryName(evolution)!);
        Directory.CreateDirectory(Path.GetDirectoryName(random)!);
        EvolutionSearchTests.Run(new EvolutionSearch(settings, 1), evolution, new SynthEvaluator(), Budget);
        EvolutionSearchTests.Run(new RandomSearch(RandomSearchSettings.MatchingBudget(settings), 1), random, new SynthEvaluator(), Budget);
        string html = HtmlReport.Render([evolution, random], new ReportOptions());
        Assert.Contains("evo-run/study.sqlite: evolution", html);
        Assert.Contains("random-run/study.sqlite: random", html);
    }
}
