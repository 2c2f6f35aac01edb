using FormerSearch.Engine;
using FormerSearch.Search;
using FormerSearch.Supernets;

namespace FormerSearch.Tests.Search;

public sealed class KindNamesTests
{
    [Fact]
    public void Names_are_the_strings_studies_and_supernet_folders_have_always_stored()
    {
        Assert.Equal(["evolution", "random", "hierarchical", "pareto"], KindNames.All<SearchAlgorithmKind>());
        Assert.Equal(["uniform", "spos", "sandwich", "hybrid"], KindNames.All<SamplerKind>());
        Assert.Equal("pareto", KindNames.Of(SearchAlgorithmKind.Pareto));
        foreach (var kind in Enum.GetValues<SamplerKind>())
        {
            Assert.True(KindNames.TryParse(KindNames.Of(kind), out SamplerKind back));
            Assert.Equal(kind, back);
        }
    }

    [Theory]
    [InlineData("Sandwich", true)]
    [InlineData(" hybrid ", true)]
    [InlineData("2", false)]     // Enum.TryParse would take a number
    [InlineData("greedy", false)]
    [InlineData("", false)]
    public void Parsing_takes_names_in_any_case_and_nothing_else(string text, bool known)
    {
        Assert.Equal(known, KindNames.TryParse(text, out SamplerKind _));
        if (known) return;
        var e = Assert.Throws<UserInputException>(() => KindNames.Parse<SamplerKind>(text, "--sampler"));
        Assert.Equal($"--sampler '{text}' is unknown: use uniform, spos, sandwich or hybrid.", e.Message);
    }
}
