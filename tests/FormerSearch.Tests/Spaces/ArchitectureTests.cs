using FormerSearch.Engine;
using FormerSearch.Spaces;

namespace FormerSearch.Tests.Spaces;

public sealed class ArchitectureTests
{
    private static Architecture Sample => new("autoformer", "mini", [new("depth", "2"), new("embed_dim", "64"), new("layer0.mlp_ratio", "3.5")]);

    [Fact]
    public void The_key_lists_space_preset_and_choices_in_order()
    {
        Assert.Equal("autoformer/mini:depth=2;embed_dim=64;layer0.mlp_ratio=3.5", Sample.Key);
        Assert.Equal(2, Sample.Int("depth"));
        Assert.Equal(3.5f, Sample.Float("layer0.mlp_ratio"));
    }

    [Fact]
    public void Json_round_trips_and_equality_is_by_key()
    {
        var back = Architecture.FromJson(Sample.ToJson(), "a.json");
        Assert.Equal(Sample, back);
        Assert.Equal(Sample.GetHashCode(), back.GetHashCode());
        Assert.True(Architecture.Recognises(Sample.ToJson()));
        Assert.NotEqual(Sample, Sample.With("depth", "3"));
        Assert.Equal("3", Sample.With("depth", "3")["depth"]);
        Assert.Equal("2", Sample["depth"]); // immutable
    }

    [Fact]
    public void Numbers_in_json_are_read_as_their_shortest_text()
    {
        var a = Architecture.FromJson("""{"space": "glit", "choices": {"block0.ffn_ratio": 4, "block0.kernel": 17}}""", "x.json");
        Assert.Equal("4", a["block0.ffn_ratio"]);
        Assert.Equal("default", a.Preset);
    }

    [Theory]
    [InlineData("[1, 2]", "not an architecture file")]
    [InlineData("{\"space\": 3, \"choices\": {}}", "'space' must be a non-empty string")]
    [InlineData("{\"space\": \"glit\", \"choices\": []}", "'choices' must be an object")]
    [InlineData("{\"space\": \"glit\", \"choices\": {\"a\": [1]}}", "choice 'a' must be a string or a number")]
    [InlineData("{oops", "not valid JSON")]
    [InlineData("{\"space\": \"glit\", \"choices\": {\"a\": 1, \"a\": 2}}", "Duplicate")]
    public void Bad_files_are_named_with_what_is_wrong(string text, string expected)
    {
        var e = Assert.Throws<UserInputException>(() => Architecture.FromJson(text, "bad.json"));
        Assert.Contains("bad.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_choice_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Architecture("s", "p", [new("a", "1"), new("a", "2")]));
    }

    [Fact]
    public void An_unknown_space_is_refused_with_the_known_ones()
    {
        var e = Assert.Throws<UserInputException>(() => SearchSpaces.Create("nas-bench"));
        Assert.Contains("nas-bench", e.Message);
    }
}
