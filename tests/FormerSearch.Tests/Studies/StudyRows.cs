using System.Globalization;
using FormerSearch.Studies;

namespace FormerSearch.Tests.Studies;

/// <summary>A study's content as comparable text (shared with the command-line tests).</summary>
internal static class StudyRows
{
    // Every row a study holds, as text, except what depends on who evaluated and when (claimant, seconds, timestamps).
    public static List<string> Of(string location)
    {
        using var study = Study.OpenExisting(location);
        var rows = new List<string> { $"space {study.SpaceName} {study.Preset} {study.SpaceJson}" };
        foreach (var c in study.Candidates())
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"candidate {c.Key} {c.ArchitectureJson} {c.Params} {c.Macs} {c.Latency:R} {c.ValidationAccuracy:R} {c.TestAccuracy:R} {c.Generation} {string.Join(',', c.Parents)} {c.Run} {c.Status}"));
        foreach (var r in study.Runs())
        {
            rows.Add($"run {r.Name} {r.Algorithm} {r.Settings} {r.Seed} {r.State} {r.Result}");
            rows.AddRange(study.Members(r.Name).Select(m => $"member {m.Ordinal} {m.Key} {m.Generation} {m.Origin} {string.Join(',', m.Parents)}"));
            rows.AddRange(study.Generations(r.Name).Select(g => string.Create(CultureInfo.InvariantCulture,
                $"generation {g.Generation} {string.Join(',', g.Population)} {string.Join(',', g.Top)} {g.BestAccuracy:R}")));
        }
        return rows;
    }
}
