using FormerSearch.Engine;
using FormerSearch.Spaces;
using FormerSearch.Supernets;

namespace FormerSearch.Tests.Supernets;

public sealed class SubnetSamplerTests
{
    private readonly ToySpace _space = new();

    private static Dictionary<string, double> Frequencies(IEnumerable<Architecture> picks, Func<Architecture, string> of)
    {
        var list = picks.ToList();
        return list.GroupBy(of).ToDictionary(g => g.Key, g => (double)g.Count() / list.Count);
    }

    [Fact]
    public void Uniform_draws_with_the_space_rules_and_spos_each_choice_on_its_own()
    {
        var supernet = (ToySpace.ToySupernet)_space.CreateSupernet(new());
        var uniform = new SubnetSampler(supernet, SamplerKind.Uniform, seed: 1);
        var spos = new SubnetSampler(supernet, SamplerKind.Spos, seed: 1);
        const int n = 12_000;
        var u = Frequencies(Enumerable.Range(0, n).Select(s => uniform.Picks(s).Single()), a => a["depth"] + a["op"]);
        var p = Frequencies(Enumerable.Range(0, n).Select(s => spos.Picks(s).Single()), a => a["depth"] + a["op"]);
        // The space's sampler: depth ½ each, then op uniform among those allowed: 1a, 1b = ¼; 2a, 2b, 2c = ⅙.
        Assert.Equal(0.25, u["1a"], 1.5e-2);
        Assert.Equal(1 / 6.0, u["2c"], 1.5e-2);
        // Each choice on its own, rejecting 1c: the five allowed (depth, op) pairs equally likely.
        foreach (var key in new[] { "1a", "1b", "2a", "2b", "2c" }) Assert.Equal(0.2, p[key], 1.5e-2);
        // Widths are uniform either way.
        Assert.Equal(0.5, Frequencies(Enumerable.Range(0, n).Select(s => spos.Picks(s).Single()), a => a["layer0.width"])["16"], 1.5e-2);
    }

    [Fact]
    public void Sandwich_is_random_then_smallest_then_largest()
    {
        var sampler = new SubnetSampler(_space.CreateSupernet(new()), SamplerKind.Sandwich, seed: 2);
        Assert.Equal(3, sampler.PassesPerStep(0));
        for (int s = 0; s < 50; s++)
        {
            var picks = sampler.Picks(s);
            Assert.Equal(_space.Smallest(), picks[1]);
            Assert.Equal(_space.Largest(), picks[2]);
        }
        Assert.True(Enumerable.Range(0, 50).Select(s => sampler.Picks(s)[0].Key).Distinct().Count() > 5);
    }

    [Fact]
    public void Hybrid_keeps_the_random_operations_at_the_smallest_and_largest_sizes()
    {
        var sampler = new SubnetSampler(_space.CreateSupernet(new()), SamplerKind.Hybrid, seed: 3);
        for (int s = 0; s < 100; s++)
        {
            var picks = sampler.Picks(s);
            Assert.Equal(3, picks.Length);
            Assert.Equal("1", picks[1]["depth"]);
            Assert.Equal("8", picks[1]["layer0.width"]);
            Assert.Equal("2", picks[2]["depth"]);
            Assert.Equal("16", picks[2]["layer1.width"]);
            if (picks[0]["op"] != "c") Assert.Equal(picks[0]["op"], picks[1]["op"]);
            Assert.Equal(picks[0]["op"], picks[2]["op"]);
        }
    }

    [Fact]
    public void Picks_depend_on_seed_and_step_alone_and_passes_activate_them_in_order()
    {
        var supernet = (ToySpace.ToySupernet)_space.CreateSupernet(new());
        var a = new SubnetSampler(supernet, SamplerKind.Sandwich, seed: 4);
        var b = new SubnetSampler(supernet, SamplerKind.Sandwich, seed: 4);
        Assert.Equal(a.Picks(17), b.Picks(17));
        Assert.NotEqual(Enumerable.Range(0, 20).Select(s => a.Picks(s)[0].Key), Enumerable.Range(0, 20).Select(s => new SubnetSampler(supernet, SamplerKind.Sandwich, 5).Picks(s)[0].Key));
        supernet.Activated.Clear();
        for (int pass = 0; pass < 3; pass++) a.BeforePass(9, pass);
        Assert.Equal(a.Picks(9), supernet.Activated);
        Assert.Equal(a.Picks(9)[2], supernet.Active);
    }
}
