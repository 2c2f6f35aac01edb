using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Tests.Spaces;

public sealed class AutoFormerSpaceTests
{
    private static readonly AutoFormerSpace Mini = AutoFormerSpace.Create("mini");

    // The official experiments/supernet/supernet-T.yaml, verbatim.
    private const string SupernetT = """
        SUPERNET:
          MLP_RATIO: 4.0
          NUM_HEADS: 4
          EMBED_DIM: 256
          DEPTH: 14
        SEARCH_SPACE:
          MLP_RATIO:
            - 3.5
            - 4
          NUM_HEADS:
            - 3
            - 4
          DEPTH:
            - 12
            - 13
            - 14
          EMBED_DIM:
            - 192
            - 216
            - 240
        """;

    [Fact]
    public void Is_registered_with_its_presets_and_mini_by_default()
    {
        Assert.Contains("autoformer", SearchSpaces.Names);
        Assert.Equal("mini", SearchSpaces.Create("autoformer").Preset);
        foreach (var preset in new[] { "tiny", "small", "base", "mini" })
            Assert.Equal(preset, SearchSpaces.Create("autoformer", preset).Preset);
        Assert.Throws<UserInputException>(() => SearchSpaces.Create("autoformer", "huge"));
    }

    [Fact]
    public void Choices_are_depth_width_then_each_layers_ratio_and_heads()
    {
        var names = Mini.Choices.Select(c => c.Name).ToArray();
        Assert.Equal(2 + 2 * 6, names.Length);
        Assert.Equal(["depth", "embed_dim", "layer0.mlp_ratio", "layer0.heads", "layer1.mlp_ratio"], names[..5]);
        Assert.Equal("layer5.heads", names[^1]);
        Assert.All(Mini.Choices, c => Assert.Equal(ChoiceKind.Size, c.Kind));
        Assert.Equal(["2", "3", "4"], Mini.Choices[2].Values);
        Assert.Equal(new ModelInput(1, 28, 28), Mini.DefaultInput);
    }

    [Fact]
    public void Count_is_the_exact_number_of_architectures()
    {
        // Σ_depth |embed|·(|ratio|·|heads|)^depth.
        Assert.Equal(3 * (BigInteger.Pow(9, 4) + BigInteger.Pow(9, 5) + BigInteger.Pow(9, 6)), Mini.Count);
        Assert.Equal(3 * (BigInteger.Pow(4, 12) + BigInteger.Pow(4, 13) + BigInteger.Pow(4, 14)), AutoFormerSpace.Create("tiny").Count);
        Assert.Equal(3 * (BigInteger.Pow(9, 12) + BigInteger.Pow(9, 13) + BigInteger.Pow(9, 14)), AutoFormerSpace.Create("small").Count);
        Assert.Equal(3 * (BigInteger.Pow(6, 14) + BigInteger.Pow(6, 15) + BigInteger.Pow(6, 16)), AutoFormerSpace.Create("base").Count);
    }

    [Fact]
    public void The_official_supernet_yaml_gives_the_tiny_preset()
    {
        var fromYaml = AutoFormerSpace.FromYaml(SupernetT, "supernet-T.yaml", "tiny");
        var tiny = AutoFormerSpace.Create("tiny");
        Assert.Equal(tiny.Choices.Select(c => (c.Name, string.Join(",", c.Values))), fromYaml.Choices.Select(c => (c.Name, string.Join(",", c.Values))));
        Assert.Equal(tiny.Settings with { EmbedDims = [], Depths = [], MlpRatios = [], NumHeads = [] },
            fromYaml.Settings with { EmbedDims = [], Depths = [], MlpRatios = [], NumHeads = [] });
        Assert.Equal("supernet-T", AutoFormerSpace.FromYaml(SupernetT, "dir/supernet-T.yaml").Preset);
    }

    [Theory]
    [InlineData("RETRAIN:\n  EMBED_DIM: 192\n", "no SUPERNET section")]
    [InlineData("SUPERNET:\n  EMBED_DIM: 256\n  DEPTH: 14\n  NUM_HEADS: 4\n  MLP_RATIO: 4\n", "no SEARCH_SPACE section")]
    [InlineData("SUPERNET:\n  EMBED_DIM: 256\n  DEPTH: 14\n  NUM_HEADS: 4\n  MLP_RATIO: 4\nSEARCH_SPACE:\n  EMBED_DIM: [192]\n  DEPTH: [15]\n  NUM_HEADS: [4]\n  MLP_RATIO: [4]\n", "depth 15 exceeds")]
    [InlineData("SUPERNET:\n  EMBED_DIM: 256\n  DEPTH: 14\n  NUM_HEADS: 4\n  MLP_RATIO: 4\nSEARCH_SPACE:\n  EMBED_DIM: [192]\n  DEPTH: [12]\n  NUM_HEADS: [x]\n  MLP_RATIO: [4]\n", "NUM_HEADS must be positive numbers")]
    [InlineData(": [", "not valid YAML")]
    public void Bad_yaml_is_one_sentence_naming_the_problem(string text, string expected)
    {
        var e = Assert.Throws<UserInputException>(() => AutoFormerSpace.FromYaml(text, "s.yaml"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Smallest_and_largest_take_every_end()
    {
        var s = Mini.Smallest();
        Assert.Equal("autoformer/mini:depth=4;embed_dim=64;layer0.mlp_ratio=2;layer0.heads=2;layer1.mlp_ratio=2;layer1.heads=2;layer2.mlp_ratio=2;layer2.heads=2;layer3.mlp_ratio=2;layer3.heads=2", s.Key);
        var l = Mini.Largest();
        Assert.Equal(6, l.Int("depth"));
        Assert.Equal("128", l["embed_dim"]);
        Assert.Equal("4", l["layer5.heads"]);
        Assert.Equal(l, Mini.WithSizesOf(s, l));
    }

    [Fact]
    public void Samples_are_valid_and_each_choice_is_uniform()
    {
        var rng = new Generator(3);
        var depthCounts = new Dictionary<string, int>();
        var ratioCounts = new Dictionary<string, int>();
        const int n = 6000;
        for (int i = 0; i < n; i++)
        {
            var a = Mini.Sample(rng);
            Assert.Equal(a, Mini.Validate(a));
            depthCounts[a["depth"]] = depthCounts.GetValueOrDefault(a["depth"]) + 1;
            ratioCounts[a["layer0.mlp_ratio"]] = ratioCounts.GetValueOrDefault(a["layer0.mlp_ratio"]) + 1;
            Assert.False(a.Contains($"layer{a.Int("depth")}.heads"));
        }
        // Each of 3 values ~2000 times: ±5σ of a binomial(6000, 1/3) is ±183.
        foreach (var counts in new[] { depthCounts, ratioCounts })
        {
            Assert.Equal(3, counts.Count);
            Assert.All(counts.Values, c => Assert.InRange(c, 2000 - 183, 2000 + 183));
        }
    }

    [Fact]
    public void Validate_canonicalises_and_names_the_bad_choice()
    {
        var largest = Mini.Largest();
        // Numbers in another spelling, and layers beyond the depth, are accepted and canonicalised.
        var loose = largest.With("layer1.mlp_ratio", "4.0").With("depth", "4");
        var canonical = Mini.Validate(loose);
        Assert.Equal("4", canonical["layer1.mlp_ratio"]);
        Assert.False(canonical.Contains("layer4.heads"));
        Assert.Equal(2 + 2 * 4, canonical.Entries.Count);

        Assert.Contains("'layer2.heads' = '5'", Assert.Throws<UserInputException>(() => Mini.Validate(largest.With("layer2.heads", "5"))).Message);
        Assert.Contains("'layer9.heads'", Assert.Throws<UserInputException>(() => Mini.Validate(largest.With("layer9.heads", "2"))).Message);
        Assert.Contains("'bogus'", Assert.Throws<UserInputException>(() => Mini.Validate(largest.With("bogus", "1"))).Message);
        var missing = new Architecture("autoformer", "mini", largest.Entries.Where(e => e.Key != "layer3.mlp_ratio"));
        Assert.Contains("lacks choice 'layer3.mlp_ratio'", Assert.Throws<UserInputException>(() => Mini.Validate(missing)).Message);
        Assert.Contains("preset tiny", Assert.Throws<UserInputException>(() => Mini.Validate(AutoFormerSpace.Create("tiny").Largest())).Message);
    }

    [Fact]
    public void Mutation_follows_the_official_probabilities()
    {
        var rng = new Generator(5);
        var parent = Mini.Sample(rng);
        Assert.Equal(parent, Mini.Mutate(parent, new MutationSettings(0, 0), rng));

        int depthChanges = 0, grown = 0;
        for (int i = 0; i < 2000; i++)
        {
            var p = Mini.Sample(rng);
            var child = Mini.Mutate(p, new MutationSettings(1, 0), rng);
            Assert.Equal(child, Mini.Validate(child));
            int dp = p.Int("depth"), dc = child.Int("depth");
            if (dc != dp) depthChanges++;
            // Layers both have keep the parent's choices (P_m = 0).
            for (int l = 0; l < Math.Min(dp, dc); l++)
                Assert.Equal(p[$"layer{l}.heads"], child[$"layer{l}.heads"]);
            if (dc > dp) grown++;
        }
        // A new uniform depth differs from the old two times in three.
        Assert.InRange(depthChanges, 1333 - 150, 1333 + 150);
        Assert.True(grown > 0);

        // With P_m = 1 every layer's choices are redrawn, but the depth stays (P_d = 0).
        var many = Enumerable.Range(0, 200).Select(_ => Mini.Mutate(Mini.Largest(), new MutationSettings(0, 1), rng)).ToArray();
        Assert.All(many, a => Assert.Equal(6, a.Int("depth")));
        Assert.Contains(many, a => a["layer0.heads"] != "4");
        Assert.All(many, a => Assert.Equal("128", a["embed_dim"]));  // the width mutates with P_d (official s_prob)
    }

    [Fact]
    public void Crossover_takes_each_choice_from_a_parent()
    {
        var rng = new Generator(9);
        var a = Mini.Smallest();
        var b = Mini.Smallest().With("embed_dim", "128");
        for (int l = 0; l < 4; l++) b = b.With($"layer{l}.mlp_ratio", "4").With($"layer{l}.heads", "4");
        bool sawMix = false;
        for (int i = 0; i < 50; i++)
        {
            var c = Mini.Crossover(a, b, rng);
            foreach (var (k, v) in c.Entries) Assert.True(v == a[k] || v == b[k], $"{k}={v} is from neither parent.");
            sawMix |= c != a && c != b;
        }
        Assert.True(sawMix);

        // Parents of different depths: the result is valid, extra layers come from the deeper parent.
        var deep = Mini.Largest();
        for (int i = 0; i < 50; i++)
        {
            var c = Mini.Crossover(a, deep, rng);
            Assert.Equal(c, Mini.Validate(c));
            for (int l = 4; l < c.Int("depth"); l++) Assert.Equal(deep[$"layer{l}.heads"], c[$"layer{l}.heads"]);
        }
    }

    [Fact]
    public void Profile_is_the_zoo_profile_and_counts_the_models_parameters()
    {
        var rng = new Generator(11);
        var options = ModelOptions.For(Mini.DefaultInput, numClasses: 10);
        foreach (var arch in new[] { Mini.Smallest(), Mini.Largest(), Mini.Sample(rng) })
        {
            var profile = Mini.Profile(arch, options);
            var model = Mini.CreateModel(arch, options);
            Assert.Equal(model.ParameterCount(), profile.Params);
            Assert.IsType<AutoFormer>(model);
            var config = ((AutoFormer)model).Config;
            Assert.Equal(arch.Int("depth"), config.Depth);
            Assert.Equal(32, config.HeadDim);
            Assert.Equal(4, config.PatchSize);
        }
        Assert.True(Mini.Profile(Mini.Smallest(), options).Macs < Mini.Profile(Mini.Largest(), options).Macs);
    }

    [Fact]
    public void The_published_tiny_subnet_is_in_the_tiny_space_and_profiles_as_the_zoo_model()
    {
        // AutoFormer-T (experiments/subnet/AutoFormer-T.yaml) is an architecture of supernet-T's space.
        var tiny = AutoFormerSpace.Create("tiny");
        int[] heads = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 3];
        string[] ratios = ["3.5", "3.5", "3", "3.5", "3", "3", "4", "4", "3.5", "4", "3.5", "4", "3.5"];
        var entries = new List<KeyValuePair<string, string>> { new("depth", "13"), new("embed_dim", "192") };
        for (int i = 0; i < 13; i++)
        {
            entries.Add(new($"layer{i}.mlp_ratio", ratios[i]));
            entries.Add(new($"layer{i}.heads", heads[i].ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        // 3.0 is not a tiny ratio: the published subnet lies outside the yaml's SEARCH_SPACE on three layers.
        var e = Assert.Throws<UserInputException>(() => tiny.Validate(new Architecture("autoformer", "tiny", entries)));
        Assert.Contains("'layer2.mlp_ratio' = '3'", e.Message);
    }
}
