using FormerSearch.Search;

namespace FormerSearch.Tests.Search;

public sealed class RankCorrelationTests
{
    [Fact]
    public void Two_swapped_neighbours_of_five()
    {
        double[] x = [1, 2, 3, 4, 5], y = [1, 3, 2, 5, 4];
        Assert.Equal(0.6, RankCorrelation.KendallTau(x, y), 12);        // (8 − 2) / 10
        Assert.Equal(0.8, RankCorrelation.SpearmanRho(x, y), 12);       // 1 − 6·4 / (5·24)
    }

    [Fact]
    public void Ties_are_handled_as_tau_b_and_average_ranks()
    {
        double[] x = [1, 2, 2, 3], y = [1, 2, 3, 3];
        Assert.Equal(0.8, RankCorrelation.KendallTau(x, y), 12);        // 4 / √(5·5)
        Assert.Equal(3.75 / 4.5, RankCorrelation.SpearmanRho(x, y), 12);
        Assert.Equal([1, 2.5, 2.5, 4], RankCorrelation.Ranks(x));
    }

    [Fact]
    public void Perfect_reversed_and_degenerate_rankings()
    {
        double[] x = [0.3, 0.1, 0.9];
        Assert.Equal(1, RankCorrelation.KendallTau(x, x), 12);
        Assert.Equal(-1, RankCorrelation.SpearmanRho(x, x.Select(v => -v).ToArray()), 12);
        Assert.True(double.IsNaN(RankCorrelation.KendallTau(x, [2, 2, 2])));
        Assert.Throws<ArgumentException>(() => RankCorrelation.SpearmanRho([1], [1]));
    }
}
