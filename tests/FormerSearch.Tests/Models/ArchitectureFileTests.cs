using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Tests.Models;

public sealed class ArchitectureFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-arch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_official_AutoFormer_T_file_builds_autoformer_tiny()
    {
        var entry = ArchitectureFile.Load(Path.Combine(AppContext.BaseDirectory, "Models", "Fixtures", "AutoFormer-T.yaml"));
        Assert.Equal("AutoFormer-T", entry.Name);
        Assert.Equal(OfficialCounts.At224["autoformer_tiny"].Params, entry.Profile(new ModelOptions()).Params);
        Assert.Equal(OfficialCounts.At224["autoformer_tiny"].Macs, entry.Profile(new ModelOptions()).Macs);
    }

    [Fact]
    public void A_supernet_file_builds_its_largest_subnet()
    {
        var entry = ArchitectureFile.Load(Write("supernet.yaml",
            "SUPERNET:\n  MLP_RATIO: 4.0\n  NUM_HEADS: 4\n  EMBED_DIM: 256\n  DEPTH: 14\nSEARCH_SPACE:\n  DEPTH: [12, 13, 14]\n"));
        var twin = AutoFormerVariants.Entry("twin", new AutoFormerConfig { EmbedDim = 256, NumHeads = Enumerable.Repeat(4, 14).ToArray(), MlpRatios = Enumerable.Repeat(4f, 14).ToArray() });
        var options = ModelOptions.For(new ModelInput(3, 32, 32), 10);
        Assert.Equal(twin.Profile(options).Params, entry.Profile(options).Params);
        Assert.Equal(entry.Profile(options).Params, entry.Create(options).ParameterCount());
    }

    [Theory]
    [InlineData("RETRAIN:\n  MLP_RATIO: 4.0\n  NUM_HEADS: 4\n  EMBED_DIM: 256\n", "RETRAIN.DEPTH is missing")]
    [InlineData("RETRAIN:\n  MLP_RATIO: [4.0, 3.5]\n  NUM_HEADS: 4\n  EMBED_DIM: 256\n  DEPTH: 3\n", "RETRAIN.MLP_RATIO has 2 values but DEPTH is 3")]
    [InlineData("RETRAIN:\n  MLP_RATIO: four\n  NUM_HEADS: 4\n  EMBED_DIM: 256\n  DEPTH: 3\n", "RETRAIN.MLP_RATIO must be positive numbers")]
    [InlineData("RETRAIN:\n  MLP_RATIO: 4\n  NUM_HEADS: 0\n  EMBED_DIM: 256\n  DEPTH: 3\n", "RETRAIN.NUM_HEADS must be positive")]
    [InlineData("RETRAIN: [unclosed\n", "not valid YAML")]
    [InlineData("hello: world\n", "no architecture format")]
    public void A_bad_file_is_named_with_what_is_wrong(string text, string expected)
    {
        string path = Write("bad.yaml", text);
        var e = Assert.Throws<UserInputException>(() => ArchitectureFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_BurgerFormer_dictionary_builds_its_model_and_FILE_colon_NAME_picks_one_of_several()
    {
        var official = ModelRegistry.Profile("burgerformer_tiny").Params;
        string single = Write("tiny.py", BurgerFormerArchFormat.ToPython(BurgerFormerVariants.Official["burgerformer_tiny"], "arch"));
        Assert.Equal(official, ArchitectureFile.Load(single).Profile(new ModelOptions()).Params);
        string json = Write("tiny.json", BurgerFormerArchFormat.ToJson(BurgerFormerVariants.Official["burgerformer_tiny"]));
        Assert.Equal(official, ArchitectureFile.Load(json).Profile(new ModelOptions()).Params);

        string both = Write("arch.py", BurgerFormerArchFormat.ToPython(BurgerFormerVariants.Official["burgerformer_small"], "burgerformer_small")
            + "\n" + BurgerFormerArchFormat.ToPython(BurgerFormerVariants.Official["burgerformer_tiny"], "burgerformer_tiny"));
        var picked = ArchitectureFile.Load(both + ":burgerformer_tiny");
        Assert.Equal("burgerformer_tiny", picked.Name);
        Assert.Equal(official, picked.Profile(new ModelOptions()).Params);
        var e = Assert.Throws<UserInputException>(() => ArchitectureFile.Load(both));
        Assert.Contains("burgerformer_small", e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<UserInputException>(() => ArchitectureFile.Load(Path.Combine(_dir, "nope.yaml")));
        Assert.Contains("nope.yaml", e.Message);
    }
}
