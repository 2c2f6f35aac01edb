using FormerSearch.Engine;
using FormerSearch.Pipeline;
using FormerSearch.Search;

namespace FormerSearch.Tests.Search;

/// <summary>The bootstrap interval of Kendall's τ that <c>former rank-study</c> prints, and the seed-to-seed spread beside it.</summary>
public sealed class KendallTauIntervalTests
{
    [Fact]
    public void A_perfect_ranking_is_one_with_interval_one_to_one_and_a_reversed_one_minus_one()
    {
        double[] x = [0.61, 0.64, 0.70, 0.72, 0.75, 0.80, 0.81, 0.86];
        double[] y = x.Select(v => 2 * v + 0.1).ToArray();
        Assert.Equal(1, RankCorrelation.KendallTau(x, y), 12);
        Assert.Equal((1.0, 1.0), RankCorrelation.KendallTauInterval(x, y));
        double[] reversed = x.Select(v => -v).ToArray();
        Assert.Equal(-1, RankCorrelation.KendallTau(x, reversed), 12);
        Assert.Equal((-1.0, -1.0), RankCorrelation.KendallTauInterval(x, reversed));
    }

    [Fact]
    public void A_random_case_matches_the_exact_bootstrap_distribution_enumerated_by_hand()
    {
        // Six pairs: all 6^6 resamples are equally likely, so the bootstrap distribution of τ can be listed exactly.
        var rng = new Generator(11);
        double[] x = Enumerable.Range(0, 6).Select(_ => rng.NextDouble()).ToArray();
        double[] y = x.Select(v => v + 0.4 * rng.NextDouble()).ToArray();
        var exact = new List<double>();
        var idx = new int[6];
        double[] rx = new double[6], ry = new double[6];
        for (int code = 0; code < 46_656; code++)
        {
            for (int i = 0, c = code; i < 6; i++, c /= 6) idx[i] = c % 6;
            for (int i = 0; i < 6; i++)
            {
                rx[i] = x[idx[i]];
                ry[i] = y[idx[i]];
            }
            double tau = NaiveTauB(rx, ry);
            if (!double.IsNaN(tau)) exact.Add(tau);
        }
        exact.Sort();
        double Exact(double q) => exact[(int)(q * (exact.Count - 1))];

        var (low, high) = RankCorrelation.KendallTauInterval(x, y, resamples: 20_000, seed: 3);
        // Monte Carlo with 20,000 resamples puts each bound within a percentile point of the exact quantile.
        Assert.InRange(low, Exact(0.015), Exact(0.035));
        Assert.InRange(high, Exact(0.965), Exact(0.985));
        Assert.True(low < RankCorrelation.KendallTau(x, y) && RankCorrelation.KendallTau(x, y) < high);
        Assert.True(low > -1 && high <= 1, $"{low} to {high}");
    }

    [Fact]
    public void The_interval_depends_on_the_seed_alone_and_undefined_resamples_are_left_out()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y = [2, 1, 4, 3, 6, 5, 8, 7, 10, 9];
        Assert.Equal(RankCorrelation.KendallTauInterval(x, y, seed: 7), RankCorrelation.KendallTauInterval(x, y, seed: 7));
        // Two pairs: half the resamples draw one pair twice (τ undefined); the others are the pair itself, τ = 1.
        Assert.Equal((1.0, 1.0), RankCorrelation.KendallTauInterval([1, 2], [3, 4]));
        var (low, high) = RankCorrelation.KendallTauInterval(x, [5, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
        Assert.True(double.IsNaN(low) && double.IsNaN(high));
        Assert.Throws<ArgumentException>(() => RankCorrelation.KendallTauInterval(x, y, resamples: 0));
        Assert.Throws<ArgumentException>(() => RankCorrelation.KendallTauInterval(x, y, level: 1));
    }

    [Fact]
    public void Quantiles_interpolate_as_numpy_and_the_pooled_sd_is_the_root_mean_variance()
    {
        double[] sorted = [1, 2, 4, 8];
        Assert.Equal(1, RankCorrelation.Quantile(sorted, 0));
        Assert.Equal(3, RankCorrelation.Quantile(sorted, 0.5));          // numpy.quantile([1, 2, 4, 8], 0.5)
        Assert.Equal(7.4, RankCorrelation.Quantile(sorted, 0.95), 12);  // 4 + 0.85 · 4
        Assert.Equal(8, RankCorrelation.Quantile(sorted, 1));
        // Variances 2 (1, 3) and 0 (2, 2, 2): √((2 + 0) / 2) = 1.
        Assert.Equal(1, RankStudy.PooledSd([[1.0, 3.0], [2.0, 2.0, 2.0]]), 12);
        Assert.Throws<ArgumentException>(() => RankStudy.PooledSd([[1.0]]));
    }

    // τ-b from its definition: (C − D) / √((C + D + T_x)(C + D + T_y)), pairs tied in both lists counted in neither.
    private static double NaiveTauB(double[] x, double[] y)
    {
        double c = 0, d = 0, tx = 0, ty = 0;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = i + 1; j < x.Length; j++)
            {
                double a = x[i] - x[j], b = y[i] - y[j];
                if (a == 0 && b == 0) continue;
                if (a == 0) tx++;
                else if (b == 0) ty++;
                else if (a * b > 0) c++;
                else d++;
            }
        }
        double denominator = Math.Sqrt((c + d + tx) * (c + d + ty));
        return denominator == 0 ? double.NaN : (c - d) / denominator;
    }
}
