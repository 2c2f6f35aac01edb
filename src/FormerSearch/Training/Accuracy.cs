namespace FormerSearch.Training;

/// <summary>Top-k hits of a batch of logits.</summary>
public static class Accuracy
{
    /// <summary>
    /// How many rows of <paramref name="logits"/> (<c>[B, K]</c> row-major) rank their label within the top
    /// <paramref name="k"/>: a row hits when fewer than <paramref name="k"/> logits are strictly greater than its
    /// label's (ties count in the label's favour, as a stable top-k would for the earliest index only when equal —
    /// with float logits ties are practically absent). A row holding a NaN or infinite logit never hits: a diverged
    /// model must not score (NaN compares false, so it would otherwise rank its label first).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes disagree or <paramref name="k"/> is below 1.</exception>
    public static int Hits(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1; got {k}.", nameof(k));
        int classes = Classes(logits, labels.Length);
        int hits = 0;
        for (int b = 0; b < labels.Length; b++)
        {
            var row = logits.Slice(b * classes, classes);
            float target = row[labels[b]];
            int above = 0;
            bool finite = true;
            foreach (float v in row)
            {
                if (!float.IsFinite(v)) finite = false;
                if (v > target) above++;
            }
            if (finite && above < k) hits++;
        }
        return hits;
    }

    /// <summary>How many rows of <paramref name="logits"/> (<c>[rows, K]</c> row-major) hold a NaN or infinite logit.</summary>
    /// <exception cref="ArgumentException">The logits do not split into <paramref name="rows"/> rows.</exception>
    public static int NonFiniteRows(ReadOnlySpan<float> logits, int rows)
    {
        int classes = Classes(logits, rows);
        int count = 0;
        for (int b = 0; b < rows; b++)
        {
            foreach (float v in logits.Slice(b * classes, classes))
            {
                if (float.IsFinite(v)) continue;
                count++;
                break;
            }
        }
        return count;
    }

    private static int Classes(ReadOnlySpan<float> logits, int rows)
    {
        if (rows == 0) return 0;
        if (logits.Length % rows != 0) throw new ArgumentException($"{logits.Length} logits do not split into {rows} rows.", nameof(logits));
        return logits.Length / rows;
    }
}
