using FormerSearch.Engine;
using System.Collections.Concurrent;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Studies;

namespace FormerSearch.Tests.Search;

public sealed class HierarchicalAndParetoTests
{
    private static readonly SynthSpace Space = new();
    private static readonly Constraints Budget = new() { Macs = new CostWindow(null, 4_000_000) };

    /// <summary>A deterministic stand-in for a timed forward: a formula of the costs, counting calls.</summary>
    private sealed class FakeMeter : ILatencyMeter
    {
        public ConcurrentDictionary<string, int> Calls { get; } = new();

        public string Unit => "ms per batch of 8";

        public double Measure(Architecture architecture)
        {
            Calls.AddOrUpdate(architecture.Key, 1, (_, c) => c + 1);
            var p = Space.Profile(architecture, FormerSearch.Models.ModelOptions.For(Space.DefaultInput, 10));
            return p.Macs / 1e5 + architecture.Int("depth") * 3.0;
        }
    }

    [Fact]
    public void Hierarchical_search_fixes_details_in_stage_one_and_the_best_distribution_in_stage_two()
    {
        using var dir = new TempDir();
        var stageOne = new EvolutionSettings { Generations = 2, Population = 10, Parents = 4, Mutations = 3, Crossovers = 3 };
        var stageTwo = new EvolutionSettings { Generations = 5, Population = 30, Parents = 8, Mutations = 10, Crossovers = 10 };
        var search = new HierarchicalSearch(new HierarchicalSettings { StageOne = stageOne, StageTwo = stageTwo }, seed: 4);
        var result = EvolutionSearchTests.Run(search, dir.File("h.db"), new SynthEvaluator(), Budget);
        Assert.Equal(170, result.Evaluated);
        Assert.Equal(7, result.BestPerGeneration.Count);
        Assert.Equal(5, search.StageOneTop.Count);

        using var study = Study.Open(dir.File("h.db"), Space);
        var members = study.Members("hierarchical");
        var byKey = study.Candidates().ToDictionary(c => c.Key);
        var best = search.StageOneTop[0].Architecture;
        foreach (var m in members)
        {
            var a = Architecture.FromJson(byKey[m.Key].ArchitectureJson, m.Key);
            int depth = a.Int("depth");
            if (m.Generation < 2)
            {
                // Stage 1: every detail at the middle value.
                for (int i = 0; i < depth; i++)
                {
                    Assert.Equal("48", a[$"layer{i}.width"]);
                    Assert.Equal("2", a[$"layer{i}.ratio"]);
                }
            }
            else
            {
                // Stage 2: the distribution of stage 1's best.
                Assert.Equal(best["depth"], a["depth"]);
                for (int i = 0; i < depth; i++) Assert.Equal(best[$"layer{i}.kind"], a[$"layer{i}.kind"]);
            }
            Assert.True(byKey[m.Key].Macs <= 4_000_000);
        }
        Assert.True(result.Best.ValidationAccuracy >= search.StageOneTop[0].ValidationAccuracy);
        var e = Assert.Throws<UserInputException>(() => new HierarchicalSearch(new HierarchicalSettings { DetailGroup = "nope" }).Run(
            new SearchContext { Space = Space, Study = study, Evaluator = new SynthEvaluator() }, "h2"));
        Assert.Contains("'nope'", e.Message);
    }

    [Fact]
    public void A_stage_whose_restricted_space_is_smaller_than_its_budget_ends_when_exhausted()
    {
        using var dir = new TempDir();
        var options = FormerSearch.Models.ModelOptions.For(Space.DefaultInput, 10);
        int distributions = Space.All().Count(a => Enumerable.Range(0, a.Int("depth")).All(i => a[$"layer{i}.width"] == "48" && a[$"layer{i}.ratio"] == "2")
            && Space.Profile(a, options).Macs <= 4_000_000);
        var stage = new EvolutionSettings { Generations = 5, Population = 30, Parents = 8, Mutations = 10, Crossovers = 10, RandomAttemptsPerCandidate = 50 };
        var search = new HierarchicalSearch(new HierarchicalSettings { StageOne = stage, StageTwo = stage }, seed: 4);
        EvolutionSearchTests.Run(search, dir.File("h.db"), new SynthEvaluator(), Budget);
        using var study = Study.Open(dir.File("h.db"), Space);
        Assert.Equal(distributions, study.Members("hierarchical").Count(m => m.Generation < 5));
        Assert.True(study.Members("hierarchical").Count(m => m.Generation >= 5) > 0);
    }

    [Fact]
    public void Non_dominated_sorting_and_crowding_distance_are_nsga2s()
    {
        IReadOnlyList<IReadOnlyList<double>> pts = [[1, 5], [2, 3], [3, 1], [2, 4], [4, 4], [3, 3.5], [5, 5]];
        var fronts = Pareto.NonDominatedSort(pts);
        Assert.Equal([0, 1, 2], fronts[0]);
        Assert.Equal([3, 5], fronts[1]);
        Assert.Equal([4], fronts[2]);
        Assert.Equal([6], fronts[3]);
        var d = Pareto.CrowdingDistance(pts, fronts[0]);
        Assert.True(double.IsPositiveInfinity(d[0]) && double.IsPositiveInfinity(d[2]));
        Assert.Equal((3.0 - 1) / 2 + (5.0 - 1) / 4, d[1], 12);
        Assert.Equal([0, 1, 2, 3, 5], Pareto.Select(pts, 5));
        var cut = Pareto.Select(pts, 4);
        Assert.Equal([0, 1, 2], cut.Take(3));
        Assert.True(cut[3] is 3 or 5);
    }

    [Fact]
    public void Pareto_search_returns_the_non_dominated_set_under_a_latency_window_measuring_each_architecture_once()
    {
        using var dir = new TempDir();
        var meter = new FakeMeter();
        var settings = new ParetoSettings { Evolution = new EvolutionSettings { Generations = 5, Population = 30, Parents = 10, Mutations = 10, Crossovers = 10 } };
        var window = new Constraints { Latency = new CostWindow(null, 40) };
        SearchResult Run(FakeMeter m, bool resume)
        {
            using var study = Study.OpenOrCreate(dir.File("p.db"), Space);
            return new ParetoSearch(settings, 2).Run(new SearchContext
            {
                Space = Space, Study = study, Evaluator = new SynthEvaluator(), LatencyMeter = m, Constraints = window, Resume = resume,
            });
        }
        var result = Run(meter, resume: false);
        Assert.All(meter.Calls.Values, c => Assert.Equal(1, c));

        using (var study = Study.Open(dir.File("p.db"), Space))
        {
            var evaluated = study.Candidates().Where(c => c.ValidationAccuracy is not null).ToList();
            Assert.Equal(150, evaluated.Count);
            Assert.All(evaluated, c => Assert.True(c.Latency <= 40));
            var frontKeys = result.Top.Select(c => c.Key).ToHashSet();
            foreach (var c in evaluated)
            {
                bool dominated = evaluated.Any(o => o.ValidationAccuracy >= c.ValidationAccuracy && o.Macs <= c.Macs && o.Latency <= c.Latency
                    && (o.ValidationAccuracy > c.ValidationAccuracy || o.Macs < c.Macs || o.Latency < c.Latency));
                Assert.Equal(!dominated, frontKeys.Contains(c.Key));
            }
            Assert.Equal(evaluated.Max(c => c.ValidationAccuracy), result.Best.ValidationAccuracy);
        }
        // Resumed: every latency and accuracy comes from the study.
        var again = new FakeMeter();
        var replay = Run(again, resume: true);
        Assert.Empty(again.Calls);
        Assert.Equal(result.Top.Select(c => c.Key), replay.Top.Select(c => c.Key));
        // A latency window without a meter, or one below the smallest architecture's latency, is refused.
        using var s2 = Study.OpenOrCreate(dir.File("q.db"), Space);
        Assert.Throws<ArgumentException>(() => new RandomSearch().Run(new SearchContext { Space = Space, Study = s2, Evaluator = new SynthEvaluator(), Constraints = window }));
        var low = Assert.Throws<UserInputException>(() => new RandomSearch().Run(new SearchContext
        {
            Space = Space, Study = s2, Evaluator = new SynthEvaluator(), LatencyMeter = new FakeMeter(), Constraints = new Constraints { Latency = new CostWindow(null, 1) },
        }));
        Assert.Contains("smallest architecture's latency", low.Message);
    }
}
