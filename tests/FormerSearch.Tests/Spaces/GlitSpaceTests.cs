using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;

namespace FormerSearch.Tests.Spaces;

/// <summary>
/// The GLiT space: Table 2's values, the count (closed form against enumeration of a small space), validation naming the
/// bad choice and dropping inactive ones, sampling/mutation/crossover staying valid, smallest/largest by cost, the
/// profile equal to the zoo model's parameters, and architecture files through --arch.
/// </summary>
public sealed class GlitSpaceTests
{
    private static readonly GlitSpace Mini = new("mini");
    private static readonly GlitSpace ImageNet = new("imagenet");

    // Two blocks of two heads, two values per detail: small enough to enumerate every assignment of every choice.
    private static readonly GlitSpace Small = new("small", new GlitSpaceSettings
    {
        PatchSize = 4,
        EmbedDim = 8,
        NumHeads = 2,
        Depth = 2,
        Input = new ModelInput(1, 8, 8),
        Kernels = [3, 5],
        LocalExpansions = [1, 2],
        GlobalExpansions = [0.5f, 1f],
        MlpRatios = [2f, 4f],
    });

    [Fact]
    public void ImageNet_has_table_2s_values_and_198_architectures_per_block()
    {
        Assert.Equal(60, ImageNet.Choices.Count);
        Assert.Equal(["0-3", "1-2", "2-1", "3-0"], ImageNet.Choices[0].Values);
        Assert.Equal("block0.split", ImageNet.Choices[0].Name);
        Assert.Equal(ChoiceKind.Operation, ImageNet.Choices[0].Kind);
        Assert.Equal("distribution", ImageNet.Choices[0].Group);
        var byName = ImageNet.Choices.ToDictionary(c => c.Name);
        Assert.Equal(["17", "31", "45"], byName["block11.kernel"].Values);
        Assert.Equal(["1", "2", "4"], byName["block11.local_expansion"].Values);
        Assert.Equal(["0.5", "1", "2"], byName["block11.global_expansion"].Values);
        Assert.Equal(["2", "4", "6"], byName["block11.ffn_ratio"].Values);
        Assert.All(ImageNet.Choices.Where(c => !c.Name.EndsWith(".split")), c => Assert.Equal(("detail", ChoiceKind.Size), (c.Group, c.Kind)));
        // all-local 3·3·3 + 1-2 and 2-1 3·3·3·3 each + all-global 3·3.
        Assert.Equal(BigInteger.Pow(27 + 81 + 81 + 9, 12), ImageNet.Count);
        Assert.Equal(BigInteger.Pow(198, 6), Mini.Count);
        Assert.Equal(new ModelInput(1, 28, 28), Mini.DefaultInput);
    }

    [Fact]
    public void Count_equals_the_distinct_valid_architectures_of_every_assignment()
    {
        var choices = Small.Choices;
        var keys = new HashSet<string>();
        var index = new int[choices.Count];
        while (true)
        {
            var entries = choices.Select((c, i) => new KeyValuePair<string, string>(c.Name, c.Values[index[i]]));
            keys.Add(Small.Validate(new Architecture("glit", "small", entries)).Key);
            int d = 0;
            while (d < index.Length && ++index[d] == choices[d].Values.Count) index[d++] = 0;
            if (d == index.Length) break;
        }
        // Per block: 0-2 → 2·2·2, 1-1 → 2·2·2·2, 2-0 → 2·2.
        Assert.Equal(BigInteger.Pow(8 + 16 + 4, 2), Small.Count);
        Assert.Equal(Small.Count, new BigInteger(keys.Count));
    }

    [Fact]
    public void Validate_drops_inactive_choices_and_names_bad_ones()
    {
        // Every choice given, every split all-global (the last split value): kernels and local expansions drop out.
        var full = new Architecture("glit", "mini", Mini.Choices.Select(c => new KeyValuePair<string, string>(c.Name, c.Largest)));
        var canonical = Mini.Validate(full);
        Assert.Equal("3-0", canonical["block0.split"]);
        Assert.False(canonical.Contains("block0.kernel"));
        Assert.False(canonical.Contains("block0.local_expansion"));
        Assert.Equal("2", canonical["block0.global_expansion"]);
        Assert.Equal("6", canonical["block0.ffn_ratio"]);
        Assert.Equal(6 * 3, canonical.Entries.Count);
        Assert.Equal(canonical, Mini.Validate(canonical));

        var largest = Mini.Largest();

        Assert.Contains("block2.kernel", Assert.Throws<UserInputException>(() => Mini.Validate(largest.With("block2.kernel", "7"))).Message);
        Assert.Contains("block9.kernel", Assert.Throws<UserInputException>(() => Mini.Validate(largest.With("block9.kernel", "5"))).Message);
        Assert.Contains("'4-0'", Assert.Throws<UserInputException>(() => Mini.Validate(largest.With("block1.split", "4-0"))).Message);
        var missing = new Architecture("glit", "mini", largest.Entries.Where(e => e.Key != "block3.ffn_ratio"));
        Assert.Contains("block3.ffn_ratio", Assert.Throws<UserInputException>(() => Mini.Validate(missing)).Message);
        // Switching a block to a mixed split makes the global expansion active, and it is missing.
        var needsGlobal = Mini.Validate(largest.With("block4.split", "0-3")).With("block4.split", "1-2");
        Assert.Contains("block4.global_expansion", Assert.Throws<UserInputException>(() => Mini.Validate(needsGlobal)).Message);
        Assert.Contains("imagenet", Assert.Throws<UserInputException>(() => ImageNet.Validate(largest)).Message);
        Assert.Contains("autoformer", Assert.Throws<UserInputException>(() => Mini.Validate(new Architecture("autoformer", "mini", largest.Entries))).Message);
    }

    [Fact]
    public void Sample_mutate_and_crossover_stay_valid_and_sample_each_split_uniformly()
    {
        var rng = new Generator(5);
        var splits = new Dictionary<string, int>();
        const int n = 4000;
        Architecture previous = Mini.Sample(rng);
        for (int s = 0; s < n; s++)
        {
            var a = Mini.Sample(rng);
            Assert.Equal(a, Mini.Validate(a));
            for (int i = 0; i < 6; i++) splits[a[$"block{i}.split"]] = splits.GetValueOrDefault(a[$"block{i}.split"]) + 1;
            if (s % 20 == 0)
            {
                var m = Mini.Mutate(a, new MutationSettings(), rng);
                Assert.Equal(m, Mini.Validate(m));
                var c = Mini.Crossover(a, previous, rng);
                Assert.Equal(c, Mini.Validate(c));
                foreach (var (name, value) in c.Entries)
                    Assert.True((a.Contains(name) && a[name] == value) || (previous.Contains(name) && previous[name] == value), name);
            }
            previous = a;
        }
        foreach (var split in new[] { "0-3", "1-2", "2-1", "3-0" }) Assert.Equal(0.25, splits[split] / (6.0 * n), 1.5e-2);
    }

    [Fact]
    public void Mutation_probability_zero_keeps_the_parent_and_one_redraws()
    {
        var rng = new Generator(9);
        var parent = Mini.Sample(rng);
        Assert.Equal(parent, Mini.Mutate(parent, new MutationSettings(ChoiceProbability: 0), rng));
        int changed = 0;
        for (int t = 0; t < 20; t++) changed += Mini.Mutate(parent, new MutationSettings(ChoiceProbability: 1), rng) == parent ? 0 : 1;
        Assert.True(changed >= 19);
    }

    [Theory]
    [InlineData("mini")]
    [InlineData("imagenet")]
    public void Smallest_and_largest_bound_the_cost_of_every_architecture(string preset)
    {
        var space = preset == "mini" ? Mini : ImageNet;
        var options = ModelOptions.For(space.DefaultInput, 10);
        long smallest = space.Profile(space.Smallest(), options).Macs, largest = space.Profile(space.Largest(), options).Macs;
        var rng = new Generator(3);
        for (int t = 0; t < 200; t++)
        {
            long macs = space.Profile(space.Sample(rng), options).Macs;
            Assert.InRange(macs, smallest, largest);
        }
        // Per block, every split at the smallest (largest) details costs at least (at most) the chosen one.
        foreach (var split in new[] { "0-3", "1-2", "2-1", "3-0" })
        {
            Assert.True(space.Profile(space.WithSizesOf(Uniform(space, split), space.Smallest()), options).Macs >= smallest, split);
            Assert.True(space.Profile(space.WithSizesOf(Uniform(space, split), space.Largest()), options).Macs <= largest, split);
        }
    }

    [Fact]
    public void ImageNet_extremes_are_the_documented_splits()
    {
        // Splitting the channels divides the quadratic projections: 2-1 is the cheapest block; all-local (e_c 4, k 45) the dearest.
        Assert.Equal("2-1", ImageNet.Smallest()["block0.split"]);
        Assert.Equal("0-3", ImageNet.Largest()["block0.split"]);
        Assert.Equal("45", ImageNet.Largest()["block5.kernel"]);
        Assert.Equal("17", ImageNet.Smallest()["block5.kernel"]);
        Assert.Equal("0.5", ImageNet.Smallest()["block5.global_expansion"]);
    }

    [Fact]
    public void With_sizes_of_keeps_the_splits_and_takes_the_sizes()
    {
        var rng = new Generator(11);
        for (int t = 0; t < 50; t++)
        {
            var a = Mini.Sample(rng);
            foreach (var (sizes, pick) in new[] { (Mini.Smallest(), (Func<Choice, string>)(c => c.Smallest)), (Mini.Largest(), c => c.Largest) })
            {
                var b = Mini.WithSizesOf(a, sizes);
                Assert.Equal(b, Mini.Validate(b));
                foreach (var c in Mini.Choices)
                {
                    if (c.Kind == ChoiceKind.Operation) Assert.Equal(a[c.Name], b[c.Name]);
                    else if (b.Contains(c.Name)) Assert.Equal(pick(c), b[c.Name]);
                }
            }
        }
    }

    [Fact]
    public void Profile_params_equal_the_zoo_models_tensors()
    {
        var rng = new Generator(1);
        var options = ModelOptions.For(Mini.DefaultInput, 10);
        foreach (var a in new[] { Mini.Smallest(), Mini.Largest(), Mini.Sample(rng), Mini.Sample(rng), Mini.Sample(rng) })
            Assert.Equal(Mini.Profile(a, options).Params, Mini.CreateModel(a, options).ParameterCount());
        var tiny = ImageNet.Sample(rng);
        Assert.Equal(ImageNet.Profile(tiny, ModelOptions.For(ModelInput.ImageNet)).Params, ImageNet.CreateModel(tiny, ModelOptions.For(ModelInput.ImageNet)).ParameterCount());
    }

    [Fact]
    public void Glit_tiny_is_an_imagenet_architecture_with_the_zoo_models_cost()
    {
        var layers = GlitVariants.DecodeOfficial(GlitVariants.TinyBaseArch, GlitVariants.TinyArch);
        var entries = new List<KeyValuePair<string, string>>();
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            entries.Add(new($"block{i}.split", $"{l.GlobalHeads}-{l.LocalHeads}"));
            entries.Add(new($"block{i}.kernel", l.Kernel.ToString()));
            entries.Add(new($"block{i}.local_expansion", l.LocalExpansion.ToString()));
            entries.Add(new($"block{i}.global_expansion", l.GlobalExpansion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            entries.Add(new($"block{i}.ffn_ratio", l.MlpRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        var tiny = ImageNet.Validate(new Architecture("glit", "imagenet", entries));
        var options = ModelOptions.For(ModelInput.ImageNet);
        var profile = ImageNet.Profile(tiny, options);
        var zoo = ModelRegistry.Profile("glit_tiny", options);
        Assert.Equal(7_264_456, profile.Params);
        Assert.Equal(zoo.Macs, profile.Macs);
    }

    [Fact]
    public void Registered_as_glit_with_mini_by_default_and_read_through_arch_files()
    {
        Assert.Contains("glit", SearchSpaces.Names);
        Assert.Equal("mini", SearchSpaces.Create("glit").Preset);
        Assert.Equal("imagenet", SearchSpaces.Create("glit", "imagenet").Preset);
        string dir = Path.Combine(Path.GetTempPath(), "glit-space-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var a = Mini.Sample(new Generator(4));
            string path = Path.Combine(dir, "sub.json");
            File.WriteAllText(path, a.ToJson());
            Assert.Equal(a, Architecture.FromJson(File.ReadAllText(path), path));
            var entry = ArchitectureFile.Load(path);
            var options = ModelOptions.For(entry.DefaultInput, 10);
            Assert.Equal(Mini.Profile(a, options).Params, entry.Create(options).ParameterCount());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Architecture Uniform(GlitSpace space, string split)
    {
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var c in space.Choices) entries.Add(new(c.Name, c.Kind == ChoiceKind.Operation ? split : c.Largest));
        return space.Validate(new Architecture(space.Name, space.Preset, entries));
    }
}
