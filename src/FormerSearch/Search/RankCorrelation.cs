namespace FormerSearch.Search;

/// <summary>How well one ranking predicts another (AutoFormer's Table 1: inherited vs stand-alone accuracy).</summary>
public static class RankCorrelation
{
    /// <summary>Kendall's τ-b (ties in either list handled as scipy's <c>kendalltau</c> does); NaN when a list is constant.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or hold fewer than two values.</exception>
    public static double KendallTau(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
        for (int i = 0; i < x.Count; i++)
        {
            for (int j = i + 1; j < x.Count; j++)
            {
                int dx = Math.Sign(x[i] - x[j]), dy = Math.Sign(y[i] - y[j]);
                if (dx == 0 && dy == 0) continue;
                if (dx == 0) tiesX++;
                else if (dy == 0) tiesY++;
                else if (dx == dy) concordant++;
                else discordant++;
            }
        }
        double denominator = Math.Sqrt((double)(concordant + discordant + tiesX) * (concordant + discordant + tiesY));
        return denominator == 0 ? double.NaN : (concordant - discordant) / denominator;
    }

    /// <summary>Spearman's ρ: Pearson's correlation of the ranks (ties get their average rank); NaN when a list is constant.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or hold fewer than two values.</exception>
    public static double SpearmanRho(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        double[] rx = Ranks(x), ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>1-based ranks, ties sharing their average rank.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double average = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = average;
            start = end + 1;
        }
        return ranks;
    }

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Rank correlation needs two lists of one length; got {x.Count} and {y.Count}.");
        if (x.Count < 2) throw new ArgumentException($"Rank correlation needs at least two pairs; got {x.Count}.");
    }
}
