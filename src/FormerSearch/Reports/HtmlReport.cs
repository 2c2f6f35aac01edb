using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Studies;
using FormerSearch.Engine.IO;

namespace FormerSearch.Reports;

/// <summary>
/// The study report: one self-contained HTML file (inline CSS and SVG; no script, font or link outside the file) with
/// accuracy vs MACs of every evaluated candidate and the Pareto front marked, the best accuracy per generation of every
/// run, and the top-k table with each architecture summarised per stage. Several algorithms are compared by giving
/// several studies, or one study holding several runs (e.g. <c>evolution</c> and <c>random</c>): every run of every
/// study is drawn. All text from the studies is escaped.
/// </summary>
public static partial class HtmlReport
{
    private const int Width = 720, Height = 400, Left = 72, Right = 24, Top = 16, Bottom = 52;

    private sealed record Point(int Study, StudyCandidate Candidate, int Run);

    private sealed record RunLine(string Label, IReadOnlyList<StudyGeneration> Generations);

    /// <summary>Writes the report of <paramref name="studyPaths"/> to <paramref name="output"/> (atomically: a temp file renamed).</summary>
    /// <exception cref="Engine.UserInputException">A study does not exist, or a file is not a study.</exception>
    /// <exception cref="ArgumentException">No study given.</exception>
    public static void Write(IReadOnlyList<string> studyPaths, string output, ReportOptions? options = null)
    {
        string html = Render(studyPaths, options ?? new ReportOptions());
        AtomicFile.WriteAllText(output, html);
    }

    /// <summary>
    /// How the report names each study: its file name, or — when file names repeat, as every <c>former search</c> folder
    /// holds a <c>study.sqlite</c> — its folder and file name, or failing that its whole path.
    /// </summary>
    internal static IReadOnlyList<string> StudyNames(IReadOnlyList<string> paths)
    {
        static bool AllDifferent(IReadOnlyList<string> names) => names.Distinct(StringComparer.Ordinal).Count() == names.Count;
        var files = paths.Select(p => Path.GetFileName(p)).ToList();
        if (AllDifferent(files)) return files;
        var withFolder = paths.Select(p => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(p))) + "/" + Path.GetFileName(p)).ToList();
        return AllDifferent(withFolder) ? withFolder : paths.Select(Path.GetFullPath).ToList();
    }

    /// <summary>The report of <paramref name="studyPaths"/> as HTML text.</summary>
    public static string Render(IReadOnlyList<string> studyPaths, ReportOptions options)
    {
        if (studyPaths.Count == 0) throw new ArgumentException("A report needs at least one study.");
        var points = new List<Point>();
        var runs = new List<RunLine>();
        var runRows = new List<(string Study, StudyRun Run, int Evaluated, double? Best)>();
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        var spaces = new List<string>();
        var bestOf = new Dictionary<(int, string), List<string>>();
        var studyNames = StudyNames(studyPaths);
        for (int s = 0; s < studyPaths.Count; s++)
        {
            using var study = Study.OpenExisting(studyPaths[s]);
            spaces.Add(study.SpaceName + "/" + study.Preset);
            ReadGroups(study.SpaceJson, groups);
            string label = studyPaths.Count > 1 ? studyNames[s] + ": " : "";
            var studyRuns = study.Runs();
            var runIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var run in studyRuns)
            {
                runIndex[run.Name] = runs.Count;
                var generations = study.Generations(run.Name);
                runs.Add(new RunLine(label + run.Name, generations));
                var members = study.Members(run.Name);
                runRows.Add((studyNames[s], run, members.Count, generations.Count > 0 ? generations[^1].BestAccuracy : null));
                if (BestKey(run.Result) is { } best)
                {
                    if (!bestOf.TryGetValue((s, best), out var names)) bestOf[(s, best)] = names = [];
                    names.Add(label + run.Name);
                }
            }
            foreach (var c in study.Candidates())
                if (c.ValidationAccuracy is not null) points.Add(new Point(s, c, runIndex.GetValueOrDefault(c.Run)));
        }

        var front = ParetoFront(points);
        var sb = new StringBuilder();
        string title = options.Title ?? "Search report: " + string.Join(", ", spaces.Distinct());
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>").Append(E(title)).Append("</title>\n<style>").Append(Css).Append("</style></head>\n<body>\n");
        sb.Append("<h1>").Append(E(title)).Append("</h1>\n");
        sb.Append("<p>").Append(points.Count.ToString(CultureInfo.InvariantCulture)).Append(" evaluated candidates in ")
          .Append(studyPaths.Count.ToString(CultureInfo.InvariantCulture)).Append(studyPaths.Count == 1 ? " study" : " studies").Append(", ")
          .Append(runs.Count.ToString(CultureInfo.InvariantCulture)).Append(runs.Count == 1 ? " run" : " runs").Append(".</p>\n");
        RunsTable(sb, runRows, studyPaths.Count > 1);
        sb.Append("<h2>Accuracy vs MACs</h2>\n<p>Every evaluated candidate, coloured by the run that drew it first; the Pareto front (no other candidate is both more accurate and cheaper) is ringed and joined.</p>\n");
        var compared = options.Comparison is { } comparison ? ReadComparison(comparison) : [];
        if (compared.Count > 0) sb.Append(ComparisonCaption);
        Scatter(sb, points, front, runs, compared);
        sb.Append("<h2>Best accuracy per generation</h2>\n<p>The best validation accuracy each run had found after each generation (random search: each batch of the same size).</p>\n");
        GenerationChart(sb, runs);
        TopTable(sb, points, front, options.TopK, groups, studyPaths.Count > 1 ? studyNames : null, bestOf);
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static HashSet<Point> ParetoFront(List<Point> points)
    {
        var objectives = points.Select(p => (IReadOnlyList<double>)[-p.Candidate.ValidationAccuracy!.Value, p.Candidate.Macs]).ToList();
        var fronts = Pareto.NonDominatedSort(objectives);
        return fronts.Count == 0 ? [] : fronts[0].Select(i => points[i]).ToHashSet();
    }

    private static void RunsTable(StringBuilder sb, List<(string Study, StudyRun Run, int Evaluated, double? Best)> rows, bool showStudy)
    {
        sb.Append("<h2>Runs</h2>\n<table><thead><tr>").Append(showStudy ? "<th>study</th>" : "")
          .Append("<th>run</th><th>algorithm</th><th>seed</th><th>state</th><th>candidates</th><th>best val. acc.</th><th>settings</th></tr></thead><tbody>\n");
        foreach (var (study, run, evaluated, best) in rows)
        {
            sb.Append("<tr>");
            if (showStudy) sb.Append("<td>").Append(E(study)).Append("</td>");
            sb.Append("<td>").Append(E(run.Name)).Append("</td><td>").Append(E(run.Algorithm)).Append("</td><td>").Append(run.Seed.ToString(CultureInfo.InvariantCulture))
              .Append("</td><td>").Append(E(run.State)).Append("</td><td class=\"num\">").Append(evaluated.ToString(CultureInfo.InvariantCulture))
              .Append("</td><td class=\"num\">").Append(best is { } b ? Acc(b) : "").Append("</td><td><code>").Append(E(run.Settings)).Append("</code></td></tr>\n");
        }
        sb.Append("</tbody></table>\n");
    }

    private static void Scatter(StringBuilder sb, List<Point> points, HashSet<Point> front, List<RunLine> runs, List<ComparedPoint> compared)
    {
        if (points.Count == 0 && compared.Count == 0)
        {
            sb.Append("<p>No candidate has been evaluated yet.</p>\n");
            return;
        }
        double maxMacs = points.Select(p => (double)p.Candidate.Macs).Concat(compared.Select(c => (double)c.Macs)).Max();
        var (scale, unit) = maxMacs >= 1e9 ? (1e9, "GMACs") : maxMacs >= 1e6 ? (1e6, "MMACs") : maxMacs >= 1e3 ? (1e3, "KMACs") : (1.0, "MACs");
        var xs = points.Select(p => p.Candidate.Macs / scale).Concat(compared.Select(c => c.Macs / scale)).ToList();
        var ys = points.Select(p => p.Candidate.ValidationAccuracy!.Value).Concat(compared.Select(c => c.Accuracy)).ToList();
        var x = Axis.For(xs.Min(), xs.Max());
        var y = Axis.For(ys.Min(), ys.Max());
        Open(sb, "accuracy-vs-macs", x, y, unit, compared.Count > 0 ? "accuracy" : "validation accuracy", LegendWidth(runs));
        var frontPoints = front.OrderBy(p => p.Candidate.Macs).ThenByDescending(p => p.Candidate.ValidationAccuracy).ToList();
        if (frontPoints.Count > 1)
        {
            sb.Append("<polyline class=\"front\" points=\"");
            foreach (var p in frontPoints) sb.Append(F(X(x, p.Candidate.Macs / scale))).Append(',').Append(F(Y(y, p.Candidate.ValidationAccuracy!.Value))).Append(' ');
            sb.Append("\"/>\n");
        }
        foreach (var p in points)
        {
            bool onFront = front.Contains(p);
            sb.Append("<circle class=\"pt r").Append((p.Run % 8).ToString(CultureInfo.InvariantCulture)).Append(onFront ? " pareto" : "").Append("\" cx=\"")
              .Append(F(X(x, p.Candidate.Macs / scale))).Append("\" cy=\"").Append(F(Y(y, p.Candidate.ValidationAccuracy!.Value))).Append("\" r=\"").Append(onFront ? "4.5" : "2.5")
              .Append("\"><title>").Append(E($"{p.Candidate.Key}\nval. acc. {Acc(p.Candidate.ValidationAccuracy!.Value)}, {Millions(p.Candidate.Params)} M params, {Millions(p.Candidate.Macs)} MMACs"))
              .Append("</title></circle>\n");
        }
        ComparedPoints(sb, compared, p => X(x, p.Macs / scale), p => Y(y, p.Accuracy));
        Legend(sb, runs.Select(r => r.Label).ToList());
        sb.Append("</svg>\n");
    }

    private static void GenerationChart(StringBuilder sb, List<RunLine> runs)
    {
        var all = runs.SelectMany(r => r.Generations).ToList();
        if (all.Count == 0)
        {
            sb.Append("<p>No generation has finished yet.</p>\n");
            return;
        }
        var x = Axis.For(0, Math.Max(1, all.Max(g => g.Generation)));
        var y = Axis.For(all.Min(g => g.BestAccuracy), all.Max(g => g.BestAccuracy));
        Open(sb, "best-per-generation", x, y, "generation", "best validation accuracy", LegendWidth(runs));
        for (int r = 0; r < runs.Count; r++)
        {
            string cls = "r" + (r % 8).ToString(CultureInfo.InvariantCulture);
            sb.Append("<polyline class=\"line ").Append(cls).Append("\" points=\"");
            foreach (var g in runs[r].Generations) sb.Append(F(X(x, g.Generation))).Append(',').Append(F(Y(y, g.BestAccuracy))).Append(' ');
            sb.Append("\"/>\n");
            foreach (var g in runs[r].Generations)
                sb.Append("<circle class=\"gen ").Append(cls).Append("\" cx=\"").Append(F(X(x, g.Generation))).Append("\" cy=\"").Append(F(Y(y, g.BestAccuracy)))
                  .Append("\" r=\"2.5\"><title>").Append(E($"{runs[r].Label}, generation {g.Generation}: {Acc(g.BestAccuracy)}")).Append("</title></circle>\n");
        }
        Legend(sb, runs.Select(r => r.Label).ToList());
        sb.Append("</svg>\n");
    }

    private static void TopTable(StringBuilder sb, List<Point> points, HashSet<Point> front, int k, Dictionary<string, string> groups, IReadOnlyList<string>? studies,
        Dictionary<(int, string), List<string>> bestOf)
    {
        // Each run's own result comes first among equally accurate candidates, so the table agrees with what the runs returned.
        var top = points.OrderByDescending(p => p.Candidate.ValidationAccuracy).ThenBy(p => bestOf.ContainsKey((p.Study, p.Candidate.Key)) ? 0 : 1)
            .ThenBy(p => p.Candidate.Macs).Take(k).ToList();
        sb.Append("<h2>Top ").Append(top.Count.ToString(CultureInfo.InvariantCulture)).Append(" by validation accuracy</h2>\n");
        var groupNames = groups.Values.Distinct().ToList();
        if (groupNames.Count > 0)
        {
            sb.Append("<p>Choices are coloured by group:");
            foreach (var g in groupNames) sb.Append(" <span class=\"c g").Append(groupNames.IndexOf(g) % 6).Append("\">").Append(E(g)).Append("</span>");
            sb.Append(".</p>\n");
        }
        sb.Append("<table class=\"top\"><thead><tr><th>#</th><th>architecture</th><th>params</th><th>MACs</th><th>latency</th><th>val. acc.</th><th>test acc.</th><th>run</th></tr></thead><tbody>\n");
        for (int i = 0; i < top.Count; i++)
        {
            var c = top[i].Candidate;
            sb.Append("<tr><td class=\"num\">").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(front.Contains(top[i]) ? "<br/><span class=\"tag\">Pareto</span>" : "")
              .Append(bestOf.TryGetValue((top[i].Study, c.Key), out var runsBest) ? "<br/><span class=\"tag\">best of " + E(string.Join(", ", runsBest)) + "</span>" : "")
              .Append("</td><td><div class=\"key\">").Append(E(c.Key)).Append("</div><div class=\"arch\">");
            Architecture arch;
            try
            {
                arch = Architecture.FromJson(c.ArchitectureJson, c.Key);
            }
            catch (InvalidDataException)
            {
                arch = new Architecture("?", "?", []);
            }
            foreach (var line in ArchitectureSummary.Lines(arch))
            {
                sb.Append("<div><b>").Append(E(line.Prefix.Length > 0 ? line.Prefix : "all")).Append("</b>");
                foreach (var (name, value) in line.Choices)
                {
                    string full = line.Prefix.Length > 0 ? line.Prefix + "." + name : name;
                    int g = groups.TryGetValue(full, out var group) ? groupNames.IndexOf(group) % 6 : -1;
                    sb.Append(" <span class=\"c").Append(g >= 0 ? " g" + g.ToString(CultureInfo.InvariantCulture) : "").Append("\">").Append(E(name)).Append('=').Append(E(value)).Append("</span>");
                }
                sb.Append("</div>");
            }
            sb.Append("</div></td><td class=\"num\">").Append(Millions(c.Params)).Append(" M</td><td class=\"num\">").Append(Millions(c.Macs)).Append(" M</td><td class=\"num\">")
              .Append(c.Latency is { } l ? l.ToString("0.###", CultureInfo.InvariantCulture) : "").Append("</td><td class=\"num\">").Append(Acc(c.ValidationAccuracy!.Value))
              .Append("</td><td class=\"num\">").Append(c.TestAccuracy is { } t ? Acc(t) : "").Append("</td><td>")
              .Append(E((studies is null ? "" : studies[top[i].Study] + ": ") + c.Run)).Append("</td></tr>\n");
        }
        sb.Append("</tbody></table>\n");
    }

    private static string? BestKey(string? resultJson)
    {
        if (resultJson is null) return null;
        try
        {
            return JsonNode.Parse(resultJson)?["top"]?[0]?["key"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static void ReadGroups(string spaceJson, Dictionary<string, string> groups)
    {
        try
        {
            if (JsonNode.Parse(spaceJson)?["choices"] is not JsonArray choices) return;
            foreach (var c in choices)
                if (c?["name"]?.GetValue<string>() is { } name && c["group"]?.GetValue<string>() is { } group) groups.TryAdd(name, group);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            // A report still renders without groups.
        }
    }

    /// <summary>Room right of the plot for the legend, from its longest label (11 px text), so that it covers no point.</summary>
    private static int LegendWidth(List<RunLine> runs) => 28 + (int)Math.Ceiling(6.5 * runs.Select(r => r.Label.Length).DefaultIfEmpty(0).Max());

    private static void Open(StringBuilder sb, string id, Axis x, Axis y, string xLabel, string yLabel, int legendWidth)
    {
        sb.Append("<svg id=\"").Append(id).Append("\" width=\"").Append(Width + legendWidth).Append("\" height=\"").Append(Height).Append("\" viewBox=\"0 0 ")
          .Append(Width + legendWidth).Append(' ').Append(Height).Append("\" role=\"img\">\n");
        sb.Append("<rect class=\"plot\" x=\"").Append(Left).Append("\" y=\"").Append(Top).Append("\" width=\"").Append(Width - Left - Right).Append("\" height=\"").Append(Height - Top - Bottom).Append("\"/>\n");
        foreach (double t in x.Ticks)
            sb.Append("<line class=\"grid\" x1=\"").Append(F(X(x, t))).Append("\" y1=\"").Append(Top).Append("\" x2=\"").Append(F(X(x, t))).Append("\" y2=\"").Append(Height - Bottom)
              .Append("\"/><text class=\"tick\" x=\"").Append(F(X(x, t))).Append("\" y=\"").Append(Height - Bottom + 16).Append("\" text-anchor=\"middle\">").Append(E(x.Label(t))).Append("</text>\n");
        foreach (double t in y.Ticks)
            sb.Append("<line class=\"grid\" x1=\"").Append(Left).Append("\" y1=\"").Append(F(Y(y, t))).Append("\" x2=\"").Append(Width - Right).Append("\" y2=\"").Append(F(Y(y, t)))
              .Append("\"/><text class=\"tick\" x=\"").Append(Left - 6).Append("\" y=\"").Append(F(Y(y, t) + 4)).Append("\" text-anchor=\"end\">").Append(E(y.Label(t))).Append("</text>\n");
        sb.Append("<text class=\"axis\" x=\"").Append((Left + Width - Right) / 2).Append("\" y=\"").Append(Height - 12).Append("\" text-anchor=\"middle\">").Append(E(xLabel)).Append("</text>\n");
        sb.Append("<text class=\"axis\" x=\"16\" y=\"").Append((Top + Height - Bottom) / 2).Append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ")
          .Append((Top + Height - Bottom) / 2).Append(")\">").Append(E(yLabel)).Append("</text>\n");
    }

    private static void Legend(StringBuilder sb, List<string> labels)
    {
        for (int i = 0; i < labels.Count; i++)
        {
            int yy = Top + 14 + 16 * i;
            sb.Append("<rect class=\"key r").Append(i % 8).Append("\" x=\"").Append(Width - Right + 12).Append("\" y=\"").Append(yy - 9).Append("\" width=\"10\" height=\"10\"/>")
              .Append("<text class=\"legend\" x=\"").Append(Width - Right + 27).Append("\" y=\"").Append(yy).Append("\">").Append(E(labels[i])).Append("</text>\n");
        }
    }

    private static double X(Axis a, double v) => Left + (v - a.Min) / (a.Max - a.Min) * (Width - Left - Right);

    private static double Y(Axis a, double v) => Height - Bottom - (v - a.Min) / (a.Max - a.Min) * (Height - Top - Bottom);

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Acc(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Millions(long v) => (v / 1e6).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Escapes text for HTML element content and attribute values.</summary>
    public static string E(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char ch in text)
            sb.Append(ch switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => ch.ToString(),
            });
        return sb.ToString();
    }

    private const string Css = """
        body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
        h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
        table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
        td.num{text-align:right;white-space:nowrap}code{font-size:.8em;word-break:break-all}
        .key{font-family:monospace;font-size:.75em;color:#666;word-break:break-all}.arch div{margin:1px 0}
        .c{display:inline-block;padding:0 4px;margin:1px;border-radius:3px;background:#eee;font-family:monospace;font-size:.85em}
        .g0{background:#dbeafe}.g1{background:#fde68a}.g2{background:#dcfce7}.g3{background:#fce7f3}.g4{background:#e9d5ff}.g5{background:#fed7aa}
        .tag{font-size:.7em;color:#b91c1c}
        svg{display:block;margin:8px 0}.plot{fill:#fafafa;stroke:#999}.grid{stroke:#e5e5e5}
        .tick,.legend{font-size:11px;fill:#444}.axis{font-size:12px;fill:#222}
        .pt{fill-opacity:.55;stroke:none}.pt.pareto{fill-opacity:1;stroke:#000;stroke-width:1.2}
        .front{fill:none;stroke:#000;stroke-width:1.2;stroke-dasharray:4 3}.line{fill:none;stroke-width:2}
        .r0{fill:#2563eb;stroke:#2563eb}.r1{fill:#dc2626;stroke:#dc2626}.r2{fill:#16a34a;stroke:#16a34a}.r3{fill:#9333ea;stroke:#9333ea}
        .r4{fill:#ea580c;stroke:#ea580c}.r5{fill:#0891b2;stroke:#0891b2}.r6{fill:#4b5563;stroke:#4b5563}.r7{fill:#ca8a04;stroke:#ca8a04}
        .cmp{stroke:#000;stroke-width:1}.cmp.baseline{fill:#f59e0b}.cmp.searched{fill:#10b981}.cmp.inherited{fill:#06b6d4}.cmp.out{fill-opacity:.35}
        .cmplabel{font-size:10px;fill:#111}
        .line.r0,.line.r1,.line.r2,.line.r3,.line.r4,.line.r5,.line.r6,.line.r7{fill:none}
        """;

    /// <summary>A linear axis with rounded ends and about five round ticks.</summary>
    private sealed record Axis(double Min, double Max, double Step, IReadOnlyList<double> Ticks)
    {
        public static Axis For(double lo, double hi)
        {
            if (!(hi > lo))
            {
                double pad = Math.Abs(lo) > 0 ? Math.Abs(lo) * 0.05 : 1;
                lo -= pad;
                hi += pad;
            }
            double raw = (hi - lo) / 5;
            double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
            double min = Math.Floor(lo / step) * step, max = Math.Ceiling(hi / step) * step;
            var ticks = new List<double>();
            for (double t = min; t <= max + step * 1e-9; t += step) ticks.Add(Math.Round(t / step) * step);
            return new Axis(min, max, step, ticks);
        }

        public string Label(double v) => v.ToString(Step >= 1 ? "0" : "0." + new string('#', Math.Min(6, (int)Math.Ceiling(-Math.Log10(Step)) + 1)), CultureInfo.InvariantCulture);
    }
}
