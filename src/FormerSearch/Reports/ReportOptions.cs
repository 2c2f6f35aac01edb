namespace FormerSearch.Reports;

/// <summary>What a report shows.</summary>
public sealed record ReportOptions
{
    /// <summary>Rows of the top-k table (by validation accuracy over every study and run).</summary>
    public int TopK { get; init; } = 10;

    /// <summary>Title of the page; null: the space and preset.</summary>
    public string? Title { get; init; }
}
