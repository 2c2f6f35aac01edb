using FormerSearch.Spaces;

namespace FormerSearch.Reports;

/// <summary>
/// A readable summary of an architecture, for any space: choices grouped by the first part of their dotted name (a stage,
/// a layer, a block); top-level choices (<c>depth</c>, <c>embed_dim</c>) form the first line.
/// </summary>
public static class ArchitectureSummary
{
    /// <summary>One line of a summary: the prefix (empty for top-level choices) and its choices as (rest of name, value).</summary>
    /// <param name="Prefix">First part of the names (<c>stage2</c>, <c>layer7</c>), or empty.</param>
    /// <param name="Choices">The choices under it, in the space's order.</param>
    public sealed record Line(string Prefix, IReadOnlyList<KeyValuePair<string, string>> Choices);

    /// <summary>The lines of <paramref name="architecture"/>'s summary, top-level choices first, then each prefix in order of appearance.</summary>
    public static IReadOnlyList<Line> Lines(Architecture architecture)
    {
        var top = new List<KeyValuePair<string, string>>();
        var groups = new List<(string Prefix, List<KeyValuePair<string, string>> Items)>();
        foreach (var (name, value) in architecture.Entries)
        {
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                top.Add(new(name, value));
                continue;
            }
            string prefix = name[..dot];
            if (groups.Count == 0 || groups[^1].Prefix != prefix) groups.Add((prefix, []));
            groups[^1].Items.Add(new(name[(dot + 1)..], value));
        }
        var lines = new List<Line>();
        if (top.Count > 0) lines.Add(new Line("", top));
        foreach (var (prefix, items) in groups) lines.Add(new Line(prefix, items));
        return lines;
    }

    /// <summary>The summary as plain text, one line per prefix: <c>layer0: kind=local width=64</c>.</summary>
    public static string Text(Architecture architecture) =>
        string.Join('\n', Lines(architecture).Select(l => (l.Prefix.Length > 0 ? l.Prefix + ": " : "") + string.Join(' ', l.Choices.Select(c => c.Key + "=" + c.Value))));
}
