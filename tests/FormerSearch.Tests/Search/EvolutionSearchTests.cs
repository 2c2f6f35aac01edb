using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Search;
using FormerSearch.Studies;

namespace FormerSearch.Tests.Search;

public sealed class EvolutionSearchTests
{
    private static readonly SynthSpace Space = new();
    private static readonly ModelOptions Options = ModelOptions.For(Space.DefaultInput, 10);
    private static readonly Constraints Budget = new() { Macs = new CostWindow(null, 4_000_000) };

    internal static SearchResult Run(ISearchAlgorithm algorithm, string path, ICandidateEvaluator evaluator, Constraints constraints, bool resume = false, Action<Study>? setup = null)
    {
        using var study = Study.OpenOrCreate(path, Space);
        setup?.Invoke(study);
        return algorithm.Run(new SearchContext { Space = Space, Study = study, Evaluator = evaluator, Constraints = constraints, Resume = resume });
    }

    private static (double Accuracy, string Key) Optimum(Constraints constraints)
    {
        var best = (Accuracy: double.MinValue, Key: "");
        foreach (var a in Space.All())
        {
            var p = Space.Profile(a, Options);
            if (!constraints.Admits(p.Params, p.Macs, null)) continue;
            double acc = SynthSpace.Accuracy(a);
            if (acc > best.Accuracy) best = (acc, a.Key);
        }
        return best;
    }

    [Fact]
    public void Evolution_reaches_the_constrained_optimum_and_never_leaves_the_window()
    {
        using var dir = new TempDir();
        var evaluator = new SynthEvaluator();
        var result = Run(new EvolutionSearch(seed: 1), dir.File("s.db"), evaluator, Budget);
        var optimum = Optimum(Budget);
        Assert.Equal(optimum.Accuracy, result.Best.ValidationAccuracy!.Value, 9);
        Assert.Equal(1000, result.Evaluated);
        Assert.Equal(1000, evaluator.TotalCalls);
        Assert.All(evaluator.Calls.Values, c => Assert.Equal(1, c));
        using var study = Study.Open(dir.File("s.db"), Space);
        var all = study.Candidates();
        Assert.Equal(1000, all.Count);
        Assert.All(all, c => Assert.True(c.Macs <= 4_000_000));
        Assert.All(result.Top, c => Assert.True(c.Macs <= 4_000_000));
        Assert.Equal(20, study.Generations("evolution").Count);
        // The final top-5 got test accuracies, stored separately.
        Assert.All(result.Top.Take(5), c => Assert.Equal(c.ValidationAccuracy!.Value - 0.5, c.TestAccuracy!.Value, 9));
        Assert.Equal(5, all.Count(c => c.TestAccuracy is not null));
    }

    [Fact]
    public void Evolution_beats_random_search_at_equal_budget()
    {
        using var dir = new TempDir();
        var settings = new EvolutionSettings { Generations = 8 };
        double evo = 0, rand = 0;
        for (ulong seed = 1; seed <= 3; seed++)
        {
            evo += Run(new EvolutionSearch(settings, seed), dir.File($"e{seed}.db"), new SynthEvaluator(), Budget).Best.ValidationAccuracy!.Value;
            rand += Run(new RandomSearch(RandomSearchSettings.MatchingBudget(settings), seed), dir.File($"r{seed}.db"), new SynthEvaluator(), Budget).Best.ValidationAccuracy!.Value;
        }
        Assert.True(evo > rand, $"evolution {evo / 3:F3} vs random {rand / 3:F3}");
    }

    [Fact]
    public void Same_seed_same_search_and_random_search_respects_the_window()
    {
        using var dir = new TempDir();
        var settings = new EvolutionSettings { Generations = 4, Population = 20, Parents = 5, Mutations = 10, Crossovers = 10 };
        var a = Run(new EvolutionSearch(settings, 7), dir.File("a.db"), new SynthEvaluator(), Budget);
        var b = Run(new EvolutionSearch(settings, 7), dir.File("b.db"), new SynthEvaluator(), Budget);
        Assert.Equal(a.Top.Select(c => c.Key), b.Top.Select(c => c.Key));
        using (var sa = Study.Open(dir.File("a.db"), Space))
        using (var sb = Study.Open(dir.File("b.db"), Space))
            Assert.Equal(sa.Members("evolution").Select(m => m.Key), sb.Members("evolution").Select(m => m.Key));

        var window = new Constraints { Params = new CostWindow(20_000, 40_000), Macs = new CostWindow(500_000, 3_000_000) };
        var r = Run(new RandomSearch(new RandomSearchSettings { Budget = 300 }, 3), dir.File("r.db"), new SynthEvaluator(), window);
        Assert.Equal(300, r.Evaluated);
        using var sr = Study.Open(dir.File("r.db"), Space);
        Assert.All(sr.Candidates(), c => Assert.True(window.Admits(c.Params, c.Macs, null)));
        Assert.True(Optimum(window).Accuracy >= r.Best.ValidationAccuracy!.Value);
    }

    [Fact]
    public void A_constraint_no_architecture_meets_names_the_smallest_value()
    {
        using var dir = new TempDir();
        var smallest = Space.Profile(Space.Smallest(), Options).Macs;
        var e = Assert.Throws<UserInputException>(() => Run(new EvolutionSearch(), dir.File("s.db"), new SynthEvaluator(), new Constraints { Macs = new CostWindow(null, 1000) }));
        Assert.Contains("maximum MACs", e.Message);
        Assert.Contains(smallest.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), e.Message);
        var empty = Assert.Throws<UserInputException>(() => Run(new RandomSearch(), dir.File("t.db"), new SynthEvaluator(), new Constraints { Params = new CostWindow(10, 5) }));
        Assert.Contains("empty", empty.Message);
        // A window a few architectures meet but not a whole population: a clear error, not an endless loop.
        var tight = new Constraints { Params = new CostWindow(null, Space.Profile(Space.Smallest(), Options).Params) };
        var few = Assert.Throws<UserInputException>(() => Run(new EvolutionSearch(new EvolutionSettings { RandomAttemptsPerCandidate = 20 }), dir.File("u.db"), new SynthEvaluator(), tight));
        Assert.Contains("could be drawn", few.Message);
    }

    [Fact]
    public void Algorithms_by_name_share_one_budget()
    {
        var e = EvolutionSettings.Scaled(20, 5);
        Assert.Equal((4, 10, 10, 100), (e.Parents, e.Mutations, e.Crossovers, e.Budget));
        Assert.Equal((10, 25, 25), (EvolutionSettings.Scaled(50, 20).Parents, EvolutionSettings.Scaled(50, 20).Mutations, EvolutionSettings.Scaled(50, 20).Crossovers));
        Assert.Equal(["evolution", "random", "hierarchical", "pareto"], SearchAlgorithms.Names);
        foreach (var name in SearchAlgorithms.Names)
        {
            var a = SearchAlgorithms.Create(KindNames.Parse<SearchAlgorithmKind>(name, "--algorithm"), 3, e);
            Assert.Equal(name, KindNames.Of(a.Kind));
            Assert.Equal(3UL, a.Seed);
        }
        Assert.Equal(100, SearchAlgorithms.Create(SearchAlgorithmKind.Random, 0, e).Settings["budget"]!.GetValue<int>());
        var h = SearchAlgorithms.Create(SearchAlgorithmKind.Hierarchical, 0, e).Settings;
        Assert.Equal(5, h["stage_one"]!["generations"]!.GetValue<int>() + h["stage_two"]!["generations"]!.GetValue<int>());
        Assert.Contains("'annealing'", Assert.Throws<UserInputException>(() => KindNames.Parse<SearchAlgorithmKind>("annealing", "--algorithm")).Message);
        Assert.Equal(0.4, EvolutionSettings.OfficialCode.Mutation.DepthProbability);
    }
}
