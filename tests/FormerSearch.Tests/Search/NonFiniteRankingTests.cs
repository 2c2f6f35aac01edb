using FormerSearch.Search;

namespace FormerSearch.Tests.Search;

/// <summary>A candidate whose accuracy is NaN or infinite (a diverged subnet) never wins a search or enters a Pareto front ahead of a finite one.</summary>
public sealed class NonFiniteRankingTests
{
    private static Candidate Scored(int index, double accuracy, long macs) =>
        new(new SynthSpace().All().ElementAt(index), 1000, macs, null, 0, "random", []) { ValidationAccuracy = accuracy };

    [Fact]
    public void The_top_k_puts_nan_and_infinite_accuracies_after_every_finite_one()
    {
        Candidate[] population = [Scored(0, double.PositiveInfinity, 10), Scored(1, 0.2, 10), Scored(2, double.NaN, 10), Scored(3, 0.7, 10), Scored(4, double.NegativeInfinity, 10)];
        var top = Evolution.TopByAccuracy([], population, 3);
        Assert.Equal([0.7, 0.2], top.Take(2).Select(c => c.ValidationAccuracy!.Value));
        Assert.False(double.IsFinite(top[2].ValidationAccuracy!.Value));
    }

    [Fact]
    public void A_pareto_front_holds_no_non_finite_candidate_while_a_finite_one_exists()
    {
        // The NaN and +inf candidates are the cheapest: compared as numbers they would sit on the front.
        Candidate[] all = [Scored(0, double.NaN, 1), Scored(1, 0.5, 50), Scored(2, double.PositiveInfinity, 2), Scored(3, 0.9, 100), Scored(4, 0.4, 60)];
        var front = new ParetoSearch().Front(all, withLatency: false);
        Assert.Equal([0.9, 0.5], front.Select(c => c.ValidationAccuracy!.Value));
    }

    [Fact]
    public void A_point_with_a_nan_objective_forms_a_last_front_of_its_own()
    {
        IReadOnlyList<IReadOnlyList<double>> pts = [[double.NaN, 0], [1, 5], [2, 3], [double.NaN, 9], [3, 4]];
        var fronts = Pareto.NonDominatedSort(pts);
        Assert.Equal([1, 2], fronts[0]);
        Assert.Equal([4], fronts[1]);
        Assert.Equal([0, 3], fronts[2]);
        Assert.Equal([1, 2, 4], Pareto.Select(pts, 3));
    }
}
