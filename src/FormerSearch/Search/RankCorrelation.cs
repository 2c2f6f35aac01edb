using FormerSearch.Engine;

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

    /// <summary>Resamples <see cref="KendallTauInterval"/> draws unless told otherwise.</summary>
    public const int DefaultResamples = 2_000;

    /// <summary>
    /// A bootstrap percentile interval of Kendall's τ-b: the pairs (x_i, y_i) resampled with replacement
    /// <paramref name="resamples"/> times by a generator seeded with <paramref name="seed"/>, τ-b of each resample, and the
    /// (1 − <paramref name="level"/>)/2 and (1 + <paramref name="level"/>)/2 quantiles of those τ (linear interpolation, as
    /// numpy's default). A resample whose τ is undefined (every drawn pair tied in one list, e.g. one pair drawn n times) is
    /// left out; (NaN, NaN) when every one is.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or hold fewer than two values, <paramref name="resamples"/> is below 1, or <paramref name="level"/> is outside (0, 1).</exception>
    public static (double Low, double High) KendallTauInterval(IReadOnlyList<double> x, IReadOnlyList<double> y, int resamples = DefaultResamples, ulong seed = 0, double level = 0.95)
    {
        Check(x, y);
        if (resamples < 1) throw new ArgumentException($"A bootstrap needs at least one resample; got {resamples}.", nameof(resamples));
        if (!(level > 0 && level < 1)) throw new ArgumentException($"A confidence level is in (0, 1); got {level}.", nameof(level));
        var rng = new Generator(seed);
        int n = x.Count;
        double[] rx = new double[n], ry = new double[n];
        var taus = new List<double>(resamples);
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < n; i++)
            {
                int pick = rng.NextInt(n);
                rx[i] = x[pick];
                ry[i] = y[pick];
            }
            double tau = KendallTau(rx, ry);
            if (!double.IsNaN(tau)) taus.Add(tau);
        }
        if (taus.Count == 0) return (double.NaN, double.NaN);
        taus.Sort();
        return (Quantile(taus, (1 - level) / 2), Quantile(taus, (1 + level) / 2));
    }

    /// <summary>The <paramref name="q"/>-quantile of ascending <paramref name="sorted"/>, interpolating linearly between order statistics (numpy's <c>quantile</c> default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
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
