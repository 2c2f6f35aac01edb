using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Models;

/// <summary>
/// BurgerFormer against the official xingxing-123/BurgerFormer code: a small architecture's logits and input
/// gradient in eval and train mode, and a few parameter gradients in train mode (vectors from <c>Models/Golden/make_burgerformer.py</c>, float64 in torch,
/// float32 here, tolerance 1e-4 relative to the largest value), the official state-dict keys of the tiny model,
/// and the official dictionary format: reading arch.py itself, JSON and Python round trips, and bad files.
/// </summary>
public sealed class BurgerFormerTests
{
    // The ARCH dictionary of make_burgerformer.py.
    internal const string GoldenArch = """
        golden = {
            'stage-1': {'macro': {'depth': 1, 'width': 8, 'ratio': 2}, 'meso': {'use_layer_scale': [True, True, False], 'is_drop': [True, True, True],
                        '1': 'skip-BN-dwise_3x3-skip-relu6', '2': 'skip-LN-dwise_3x3-skip-silu', '3': 'skip-skip-avgpool-GN-gelu',
                        '0->1': 'skip', '0->2': 'none', '1->2': 'skip', '0->3': 'none', '1->3': 'none', '2->3': 'skip'}},
            'stage-2': {'macro': {'depth': 1, 'width': 16, 'ratio': 1}, 'meso': {'use_layer_scale': [False, True, True], 'is_drop': [True, True, True],
                        '1': 'skip-skip-conv_1x1-LN-skip', '2': 'skip-skip-skip-skip-skip', '3': 'gelu-GN-conv_1x1-BN-silu',
                        '0->1': 'skip', '0->2': 'skip', '1->2': 'skip', '0->3': 'skip', '1->3': 'skip', '2->3': 'skip'}},
            'stage-3': {'macro': {'depth': 2, 'width': 16, 'ratio': 2}, 'meso': {'use_layer_scale': [True, True, True], 'is_drop': [True, True, True],
                        '1': 'skip-LN-self_atten-skip-gelu', '2': 'skip-BN-dwise_3x3-GN-relu6', '3': 'skip-GN-spatial_mlp-skip-silu',
                        '0->1': 'skip', '0->2': 'skip', '1->2': 'none', '0->3': 'none', '1->3': 'skip', '2->3': 'skip'}},
            'stage-4': {'macro': {'depth': 1, 'width': 16, 'ratio': 3}, 'meso': {'use_layer_scale': [True, True, True], 'is_drop': [False, True, True],
                        '1': 'skip-skip-skip-skip-skip', '2': 'skip-GN-dwise_3x3-LN-gelu', '3': 'skip-skip-self_atten-LN-skip',
                        '0->1': 'skip', '0->2': 'none', '1->2': 'skip', '0->3': 'none', '1->3': 'none', '2->3': 'skip'}},
        }
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Logits_and_input_gradients_match_the_official_code(bool train)
    {
        var golden = GoldenAssert.Load("burgerformer");
        var config = BurgerFormerArchFormat.Parse(GoldenArch, "the golden architecture", "golden");
        var model = new BurgerFormer(config, ModelOptions.For(new ModelInput(3, 32, 32), numClasses: 5));
        model.LoadStateDict(GoldenAssert.Section(golden, "state."), strict: true, pytorchLayout: true);
        model.Train(train);
        string suffix = train ? "_train" : "";
        using (TensorScope.Enter())
        {
            var x = golden["x"].Clone();
            x.RequiresGrad = true;
            var y = model.Forward(x);
            GoldenAssert.Close(golden["y" + suffix], y);
            y.Backward(golden["gy"]);
            GoldenAssert.Close(golden["gx" + suffix], x.Grad!);
        }
        if (!train) return;
        var parameters = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (key, expected) in golden)
        {
            if (key.StartsWith("grad.", StringComparison.Ordinal)) GoldenAssert.Close(expected, parameters[key["grad.".Length..]].Grad!);
        }
        Assert.Equal(5, golden.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Tiny_keys_and_shapes_equal_the_official_list_in_order()
    {
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Models", "Fixtures", "burgerformer_tiny.keys.txt"))
            .Where(l => l.Length > 0).ToArray();
        var actual = ModelRegistry.Create("burgerformer_tiny").StateDict(pytorchLayout: true)
            .Select(kv => $"{kv.Key} {string.Join('x', kv.Value.Shape.ToArray())}").ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("burgerformer_tiny")]
    [InlineData("burgerformer_small")]
    [InlineData("burgerformer_base")]
    [InlineData("burgerformer_large")]
    public void Params_and_macs_equal_the_official_model_exactly(string name)
    {
        var profile = ModelRegistry.Profile(name);
        Assert.Equal(OfficialCounts.At224[name], (profile.Params, profile.Macs));
    }

    [Fact]
    public void The_official_dictionaries_read_as_published()
    {
        var all = BurgerFormerVariants.Official;
        Assert.Equal(["burgerformer_tiny", "burgerformer_small", "burgerformer_base", "burgerformer_large", "min_arch", "max_arch"], all.Keys.ToArray());
        var tiny = all["burgerformer_tiny"];
        Assert.Equal([32, 96, 192, 384], tiny.Widths.ToArray());
        Assert.Equal(4, tiny.Stages[0].Ratio);
        var first = tiny.Stages[0].Meso;
        Assert.False(first.SubBlocks[0].UseLayerScale);
        Assert.True(first.SubBlocks[0].IsSkip);
        Assert.Equal(new BurgerFormerMicroConfig { PreNorm = NormKind.GroupNorm, Op = TokenMixerKind.DepthwiseConv3x3, Activation = ActivationKind.Gelu }, first.SubBlocks[1]);
        Assert.Equal(new BurgerFormerMicroConfig { Op = TokenMixerKind.Pooling, PostNorm = NormKind.LayerNorm, Activation = ActivationKind.Silu }, first.SubBlocks[2]);
        Assert.Equal([false, false, true, false, false, true], first.Edges.ToArray());
        Assert.Equal(TokenMixerKind.SpatialFc, tiny.Stages[2].Meso.SubBlocks[2].Op);
        Assert.Equal(TokenMixerKind.Attention, all["burgerformer_base"].Stages[2].Meso.SubBlocks[0].Op);
    }

    [Theory]
    [InlineData("burgerformer_tiny")]
    [InlineData("burgerformer_large")]
    [InlineData("min_arch")]
    public void Json_and_python_round_trip(string name)
    {
        var config = BurgerFormerVariants.Official[name];
        var fromJson = BurgerFormerArchFormat.Parse(BurgerFormerArchFormat.ToJson(config), "json");
        var fromPython = BurgerFormerArchFormat.Parse(BurgerFormerArchFormat.ToPython(config, name), "python");
        AssertSame(config, fromJson);
        AssertSame(config, fromPython);
        Assert.Equal(config, fromJson);                                      // value equality
        Assert.Equal(config.GetHashCode(), fromPython.GetHashCode());
        Assert.NotEqual(config, fromJson with { Stages = [.. fromJson.Stages.Take(3), fromJson.Stages[3] with { Ratio = fromJson.Stages[3].Ratio + 1 }] });
        // Written text is canonical: writing what was read gives the same text.
        Assert.Equal(BurgerFormerArchFormat.ToJson(config), BurgerFormerArchFormat.ToJson(fromPython));
        Assert.Equal(BurgerFormerArchFormat.ToPython(config, name), BurgerFormerArchFormat.ToPython(fromJson, name));
    }

    [Fact]
    public void Files_are_written_and_read_by_extension()
    {
        string dir = Path.Combine(Path.GetTempPath(), "burger-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var config = BurgerFormerVariants.Official["burgerformer_small"];
            string json = Path.Combine(dir, "a.json"), py = Path.Combine(dir, "a.py");
            BurgerFormerArchFormat.Write(json, config);
            BurgerFormerArchFormat.Write(py, config, "small");
            Assert.StartsWith("{", File.ReadAllText(json));
            Assert.StartsWith("small = {", File.ReadAllText(py));
            AssertSame(config, BurgerFormerArchFormat.Read(json));
            AssertSame(config, BurgerFormerArchFormat.Read(py));
            Assert.Throws<UserInputException>(() => BurgerFormerArchFormat.Read(Path.Combine(dir, "missing.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_dictionary_without_ratio_expands_by_four_as_the_official_model()
    {
        string text = BurgerFormerArchFormat.ToJson(BurgerFormerVariants.Official["burgerformer_small"]).Replace(",\n      \"ratio\": 6", "", StringComparison.Ordinal);
        Assert.DoesNotContain("\"ratio\": 6", text);
        var config = BurgerFormerArchFormat.Parse(text, "no-ratio.json");
        Assert.Equal(4, config.Stages[1].Ratio);
    }

    [Theory]
    [InlineData("'width': 32", "'width': '32'", "stage-1.macro.width is '32', not an integer")]
    [InlineData("'depth': 2", "'dept': 2", "stage-1.macro has unknown key 'dept'")]
    [InlineData("'1': 'skip-skip-skip-skip-skip'", "'1': 'skip-skip-conv3x3-skip-skip'", "stage-1.meso['1'] has unknown op 'conv3x3'")]
    [InlineData("'2': 'skip-GN-dwise_3x3-skip-gelu'", "'2': 'skip-GN-avgpool-skip-gelu'", "stage-1.meso['2'] has unknown middle-block op 'avgpool'")]
    [InlineData("'2': 'skip-GN-dwise_3x3-skip-gelu'", "'2': 'skip-GN-dwise_3x3-gelu'", "stage-1.meso['2'] is 'skip-GN-dwise_3x3-gelu'; a sub-block is five parts")]
    [InlineData("'0->1': 'none'", "'0->1': 'maybe'", "stage-1.meso['0->1'] is 'maybe'; an edge is 'skip' or 'none'")]
    [InlineData("'is_drop': [False, True, True]", "'is_drop': [False, True]", "stage-1.meso.is_drop is a list of 2, not a list of three booleans")]
    [InlineData("'is_drop': [False, True, True]", "'is_drop': [False, True, 1]", "stage-1.meso.is_drop[2] is 1, not a boolean")]
    [InlineData("'stage-4': {", "'stage-5': {", "unknown key 'stage-5'")]
    [InlineData("'1->3': 'none'", "", "no '1->3'")]
    [InlineData("'width': 96,", "'width': 0,", "stage-2 needs a positive depth, width and ratio")]
    [InlineData("'1': 'skip-skip-skip-skip-skip'", "'1': 'skip-skip-self_atten-skip-skip'", "stage-1 sub-block 1 uses self_atten, but the stage's 0 attention heads")]
    [InlineData("'stage-1': {", "'stage-1': {{", "line 2, column 17: a dictionary key must be a quoted string")]
    [InlineData("'ratio': 4}", "'ratio': 4", "expected ',' or '}'")]
    public void A_bad_file_names_the_file_and_the_bad_key_or_value(string from, string to, string expected)
    {
        string tiny = BurgerFormerArchFormat.ToPython(BurgerFormerVariants.Official["burgerformer_tiny"], "tiny");
        int at = tiny.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, from);
        string bad = tiny[..at] + to + tiny[(at + from.Length)..];
        bad = bad.Replace(", ,", ",", StringComparison.Ordinal);
        var e = Assert.Throws<UserInputException>(() => BurgerFormerArchFormat.Parse(bad, "bad.py"));
        Assert.StartsWith("bad.py", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_part_BurgerFormer_does_not_have_is_an_input_error_naming_where_it_is()
    {
        var tiny = BurgerFormerVariants.Official["burgerformer_tiny"];
        var stages = tiny.Stages.ToArray();
        var subs = stages[1].Meso.SubBlocks.ToArray();
        subs[2] = subs[2] with { Activation = ActivationKind.Relu };   // the official list has relu6, not relu
        stages[1] = stages[1] with { Meso = stages[1].Meso with { SubBlocks = subs } };
        var e = Assert.Throws<UserInputException>(() => (tiny with { Stages = stages }).Validate());
        Assert.Contains("stage-2 sub-block 3 has activation Relu", e.Message);
        tiny.Validate();
    }

    [Fact]
    public void Several_dictionaries_need_a_name_and_an_empty_file_is_rejected()
    {
        string two = BurgerFormerArchFormat.ToPython(BurgerFormerVariants.Official["burgerformer_tiny"], "a")
            + BurgerFormerArchFormat.ToPython(BurgerFormerVariants.Official["burgerformer_base"], "b");
        Assert.Contains("2 architectures (a, b)", Assert.Throws<UserInputException>(() => BurgerFormerArchFormat.Parse(two, "two.py")).Message);
        Assert.Equal(320, BurgerFormerArchFormat.Parse(two, "two.py", "b").Stages[2].Width);
        Assert.Contains("no architecture named 'c'", Assert.Throws<UserInputException>(() => BurgerFormerArchFormat.Parse(two, "two.py", "c")).Message);
        Assert.Contains("holds no architecture", Assert.Throws<UserInputException>(() => BurgerFormerArchFormat.Parse("# nothing\n", "empty.py")).Message);
        Assert.Contains("not a dictionary", Assert.Throws<UserInputException>(() => BurgerFormerArchFormat.Parse("[1, 2]", "list.json")).Message);
    }

    [Fact]
    public void Any_input_size_the_convolutions_allow_builds_and_runs()
    {
        // 50×70: maps 13×18, 7×9, 4×5, 2×3; the tiny model's spatial MLP takes stage 3's 4×5 positions.
        var model = ModelRegistry.Create("burgerformer_tiny", ModelOptions.For(new ModelInput(1, 50, 70), numClasses: 3));
        Assert.Equal([20, 20], model.StateDict(pytorchLayout: true)["network.4.0.norm_mixer_act_blocks.2.ops.1.fc.weight"].Shape.ToArray());
        using (TensorScope.Enter())
        {
            var features = model.ForwardFeatures(Tensor.Zeros(2, 50, 70, 1));
            Assert.Equal([2, 2, 3, 384], features.Shape.ToArray());
            Assert.Equal([2, 3], model.ForwardHead(features).Shape.ToArray());
        }
        Assert.Equal(model.ParameterCount(), ModelRegistry.Profile("burgerformer_tiny", ModelOptions.For(new ModelInput(1, 50, 70), numClasses: 3)).Params);
    }

    [Fact]
    public void A_stride_2_stem_halves_once_with_the_same_weights_and_is_profiled_as_it_runs()
    {
        var official = BurgerFormerArchFormat.Parse(GoldenArch, "the golden architecture", "golden");
        var options = ModelOptions.For(new ModelInput(1, 28, 28), numClasses: 10);
        var stem2 = official with { StemStride = 2 };
        Assert.Equal([(14, 14), (7, 7), (4, 4), (2, 2)], stem2.StageSizes(28, 28));
        Assert.Equal([(7, 7), (4, 4), (2, 2), (1, 1)], official.StageSizes(28, 28));
        Assert.NotEqual(official, stem2);

        var model = new BurgerFormer(stem2, options);
        var profile = BurgerFormer.Profile("stem2", stem2, options);
        Assert.Equal(model.ParameterCount(), profile.Params);
        var projection = profile.Layers.Single(l => l.Name == "patch_embed.conv_proj");
        Assert.Equal([14, 14, 8], projection.OutputShape.ToArray());
        Assert.Equal(14L * 14 * 9 * 24 * 8, projection.Macs);
        // The stem's weights are the official stem's: only stage 3's spatial MLP (4×4 positions instead of 2×2) changes shape.
        var shapes4 = new BurgerFormer(official, options).StateDict(pytorchLayout: true).ToDictionary(p => p.Key, p => p.Value.Shape.ToArray());
        var changed = model.StateDict(pytorchLayout: true).Where(p => !shapes4[p.Key].SequenceEqual(p.Value.Shape.ToArray())).Select(p => p.Key).ToArray();
        Assert.All(changed, key => Assert.Contains("network.4.", key));
        Assert.NotEmpty(changed);
        using (TensorScope.Enter())
        {
            var x = Tensor.Zeros(2, 28, 28, 1);
            new Generator(3).FillUniform(x.AsSpan(), -1f, 1f);
            Assert.Equal([2, 2, 2, 16], model.ForwardFeatures(x).Shape.ToArray());
        }
        Assert.Contains("stem stride of 3", Assert.Throws<UserInputException>(() => (official with { StemStride = 3 }).Validate()).Message);
    }

    private static void AssertSame(BurgerFormerConfig expected, BurgerFormerConfig actual)
    {
        Assert.Equal(expected.Stages.Count, actual.Stages.Count);
        for (int i = 0; i < expected.Stages.Count; i++)
        {
            var (e, a) = (expected.Stages[i], actual.Stages[i]);
            Assert.Equal((e.Depth, e.Width, e.Ratio), (a.Depth, a.Width, a.Ratio));
            Assert.Equal(e.Meso.SubBlocks.ToArray(), a.Meso.SubBlocks.ToArray());
            Assert.Equal(e.Meso.Edges.ToArray(), a.Meso.Edges.ToArray());
        }
    }
}
