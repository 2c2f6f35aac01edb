namespace FormerSearch.Reports;

/// <summary>What a report shows.</summary>
public sealed record ReportOptions
{
    /// <summary>Rows of the top-k table (by validation accuracy over every study and run).</summary>
    public int TopK { get; init; } = 10;

    /// <summary>Title of the page; null: the space and preset.</summary>
    public string? Title { get; init; }

    /// <summary>A <c>former compare</c> results file (<c>comparison.json</c>) whose models are drawn as labelled points on the accuracy-vs-MACs chart; null for none.</summary>
    public string? Comparison { get; init; }
}
