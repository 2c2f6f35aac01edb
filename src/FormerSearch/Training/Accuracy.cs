namespace FormerSearch.Training;

/// <summary>Top-k hits of a batch of logits.</summary>
public static class Accuracy
{
    /// <summary>
    /// How many rows of <paramref name="logits"/> (<c>[B, K]</c> row-major) rank their label within the top
    /// <paramref name="k"/>: a row hits when fewer than <paramref name="k"/> logits are strictly greater than its
    /// label's (ties count in the label's favour, as a stable top-k would for the earliest index only when equal —
    /// with float logits ties are practically absent).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes disagree or <paramref name="k"/> is below 1.</exception>
    public static int Hits(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1; got {k}.", nameof(k));
        if (labels.Length == 0) return 0;
        if (logits.Length % labels.Length != 0) throw new ArgumentException($"{logits.Length} logits do not split into {labels.Length} rows.", nameof(logits));
        int classes = logits.Length / labels.Length;
        int hits = 0;
        for (int b = 0; b < labels.Length; b++)
        {
            var row = logits.Slice(b * classes, classes);
            float target = row[labels[b]];
            int above = 0;
            foreach (float v in row)
                if (v > target) above++;
            if (above < k) hits++;
        }
        return hits;
    }
}
