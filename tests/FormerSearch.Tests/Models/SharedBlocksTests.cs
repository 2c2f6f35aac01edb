using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Models;

/// <summary>The pieces every family shares: the class-token ViT skeleton, the classifier head and the drop-path ramp.</summary>
public sealed class SharedBlocksTests
{
    private static readonly ModelOptions Small = ModelOptions.For(new ModelInput(3, 32, 48), numClasses: 5);

    [Fact]
    public void The_drop_path_rate_rises_linearly_from_zero_to_the_rate_at_the_last_block()
    {
        Assert.Equal([0f, 0.05f, 0.1f, 0.15f, 0.2f], Enumerable.Range(0, 5).Select(i => StochasticDepth.Rate(0.2f, i, 5)).ToArray());
        Assert.Equal(0f, StochasticDepth.Rate(0.3f, 0, 1));   // one block: no drop path, not a division by zero
    }

    [Fact]
    public void A_head_takes_the_draws_of_a_linear_layer_then_trunc_normal_and_a_zero_bias()
    {
        var head = ClassifierHead.Create(8, 3, new Generator(4));
        var generator = new Generator(4);
        var twin = new Linear(8, 3, generator);
        Layers.TruncNormalInit(twin, generator);

        Assert.Equal([3, 8], head.Weight.Shape.ToArray());
        Assert.Equal(twin.Weight.Value.ToArray(), head.Weight.Value.ToArray());
        Assert.All(head.Bias!.Value.ToArray(), b => Assert.Equal(0f, b));
        Assert.Contains("got 0", Assert.Throws<UserInputException>(() => ClassifierHead.Create(8, 0, new Generator(4))).Message);
    }

    [Fact]
    public void The_patch_grid_is_the_image_in_whole_patches_or_an_input_error_naming_both_sizes()
    {
        var spec = ClassTokenVitSpec.ForDeit(embedDim: 12, patchSize: 16, depth: 1, normEps: 1e-6f);
        Assert.Equal((2, 3), spec.PatchGrid(32, 48));
        var e = Assert.Throws<UserInputException>(() => spec.PatchGrid(30, 48));
        Assert.Contains("30×48", e.Message);
        Assert.Contains("16×16", e.Message);
    }

    [Theory]
    [InlineData("deit", "cls_token pos_embed patch_embed.proj block norm head")]
    [InlineData("autoformer", "pos_embed cls_token patch_embed_super.proj block norm pool head")]
    [InlineData("glit", "cls_token pos_embed patch_embed.proj block norm head")]
    public void Each_family_profiles_its_skeleton_in_its_own_state_dict_order(string family, string expected)
    {
        var spec = family switch
        {
            "deit" => ClassTokenVitSpec.ForDeit(12, 16, 1, 1e-6f),
            "autoformer" => ClassTokenVitSpec.ForAutoFormer(12, 16, 1, 1e-5f),
            _ => ClassTokenVitSpec.ForGlit(12, 16, 1, 1e-6f),
        };
        int seen = 0;
        var profile = spec.Profile("x", Small, (p, tokens) =>
        {
            seen = tokens;
            p.Free("block", "stand-in", [tokens, 12]);
        });
        Assert.Equal(7, seen);                                                      // 2×3 patches and the class token
        Assert.Equal(expected, string.Join(' ', profile.Layers.Select(l => l.Name)));
        Assert.Equal(7L * 12, profile.Layers.Single(l => l.Name == "pos_embed").Params);
        Assert.Equal(12L * 5 + 5, profile.Layers[^1].Params);
        Assert.Throws<UserInputException>(() => spec.Profile("x", ModelOptions.For(new ModelInput(3, 30, 48)), (_, _) => { }));
    }

    [Fact]
    public void The_head_reads_the_class_token_or_the_mean_of_the_patch_tokens()
    {
        var deit = new Vit(new VitConfig { EmbedDim = 12, NumHeads = 2, Depth = 1 }, Small);
        var autoformer = new AutoFormer(new AutoFormerConfig { EmbedDim = 12, NumHeads = [1], MlpRatios = [2f], HeadDim = 4 }, Small);
        // [1, 1 + 2 patches, 12]: a class token far from the patch tokens, so reading the wrong one shows.
        var features = Tensor.FromArray([.. Enumerable.Repeat(100f, 12), .. Enumerable.Range(0, 12).Select(i => (float)i), .. Enumerable.Range(0, 12).Select(i => i + 2f)], 1, 3, 12);
        using (TensorScope.Enter())
        {
            AssertClose(Logits(deit, Enumerable.Repeat(100f, 12)), deit.ForwardHead(features).ToArray());
            AssertClose(Logits(autoformer, Enumerable.Range(0, 12).Select(i => i + 1f)), autoformer.ForwardHead(features).ToArray());
        }
    }

    [Fact]
    public void Copying_a_skeleton_copies_the_tokens_patch_embedding_norm_and_head_and_leaves_the_blocks()
    {
        var config = new GlitConfig { EmbedDim = 12, Layers = [new GlitLayerConfig { GlobalHeads = 1, LocalHeads = 2, Kernel = 3 }] };
        var source = new Glit(config, Small with { Seed = 1 });
        var target = new Glit(config, Small with { Seed = 2 });
        source.Backbone.CopyTo(target.Backbone);
        var from = source.StateDict();
        var to = target.StateDict();
        foreach (var (name, tensor) in to)
            if (!name.StartsWith("blocks.", StringComparison.Ordinal)) Assert.Equal(from[name].ToArray(), tensor.ToArray());
        Assert.Equal(["cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias"], to.Keys.Take(4));
        Assert.Equal(["norm.weight", "norm.bias", "head.weight", "head.bias"], to.Keys.TakeLast(4));
        // The blocks' drawn weights stay the target's own.
        Assert.NotEqual(from["blocks.0.0.mlp.fc1.weight"].ToArray(), to["blocks.0.0.mlp.fc1.weight"].ToArray());
        Assert.NotEqual(from["blocks.0.0.attn.qkv.weight"].ToArray(), to["blocks.0.0.attn.qkv.weight"].ToArray());
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f, $"logit {i}: {actual[i]}, expected {expected[i]}.");
    }

    private static float[] Logits(VisionModel model, IEnumerable<float> pooled)
    {
        var state = model.StateDict();
        var w = state["head.weight"];
        var b = state["head.bias"].ToArray();
        var x = pooled.ToArray();
        var logits = new float[w.Size(0)];
        for (int k = 0; k < logits.Length; k++)
        {
            double sum = b[k];
            for (int c = 0; c < x.Length; c++) sum += w[k, c] * x[c];
            logits[k] = (float)sum;
        }
        return logits;
    }
}
