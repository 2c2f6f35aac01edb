using FormerSearch.Models;
using FormerSearch.Pipeline;
using FormerSearch.Spaces;

namespace FormerSearch.Tests.Pipeline;

/// <summary>Which subnets the rank study trains: the sampler's draws, or draws spread across the MACs range.</summary>
public sealed class RankStudyPickTests
{
    private static readonly ISearchSpace Space = SearchSpaces.Create("burger", "mini");
    private static readonly ModelOptions Options = ModelOptions.For(Space.DefaultInput, 10);

    [Fact]
    public void Uniform_picks_are_the_samplers_first_distinct_draws()
    {
        var picks = RankStudy.Pick(Space, Options, 6, seed: 4, spread: false);
        var rng = new FormerSearch.Engine.Generator(4);
        Assert.Equal(Enumerable.Range(0, 6).Select(_ => Space.Sample(rng)), picks);
    }

    [Fact]
    public void Spread_picks_climb_the_macs_range_from_the_smallest_to_the_largest_of_the_draws()
    {
        var picks = RankStudy.Pick(Space, Options, 6, seed: 4, spread: true);
        var macs = picks.Select(a => Space.Profile(a, Options).Macs).ToArray();
        Assert.Equal(6, picks.Distinct().Count());
        Assert.Equal(macs.Order(), macs);
        var draws = RankStudy.Pick(Space, Options, 120, seed: 4, spread: false).Select(a => Space.Profile(a, Options).Macs).ToArray();
        Assert.Equal(draws.Min(), macs[0]);
        Assert.Equal(draws.Max(), macs[^1]);
        // Uniform draws bunch in the middle; the spread ones cover the range evenly.
        var uniform = RankStudy.Pick(Space, Options, 6, seed: 4, spread: false).Select(a => Space.Profile(a, Options).Macs).ToArray();
        Assert.True(macs[^1] - macs[0] > uniform.Max() - uniform.Min());
    }
}
