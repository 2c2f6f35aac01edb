namespace FormerSearch.Cli.Commands;

/// <summary>
/// What a <see cref="ModelThroughputCommand"/> measurement prints: the images per second, what was timed, and optional
/// extra JSON fields (<see cref="Leading"/> before <c>images_per_s</c>, <see cref="Extra"/> after) and an extra text line.
/// </summary>
/// <param name="ImagesPerSecond">The measured rate.</param>
/// <param name="What">What was timed, for the text form.</param>
public sealed record ThroughputReport(double ImagesPerSecond, string What)
{
    /// <summary>JSON fields written before <c>images_per_s</c> (what the rate is of).</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Leading { get; init; } = [];

    /// <summary>JSON fields written after <c>images_per_s</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Extra { get; init; } = [];

    /// <summary>A second line for the text form, or null.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// Floating-point operations per multiply-add of the model's forward pass that one timed image costs (training:
    /// 6 — 2 forward, 4 backward), or null; when set, the achieved GFLOP/s is printed from the model's analytic MACs.
    /// </summary>
    public double? FlopsPerMac { get; init; }
}
