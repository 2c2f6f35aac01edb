using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Models;

/// <summary>
/// GLiT against the official bychen515/GLiT code: logits and input gradients of two small networks holding
/// all-global, all-local and mixed layers, in evaluation and training mode (BatchNorm on running or batch
/// statistics, and the running statistics it leaves), one with more tokens than the kernel spans and one with
/// fewer (vectors from <c>Models/Golden/make_glit.py</c>, float64 in torch, float32 here, tolerance 1e-4 relative to
/// the largest value); the official state-dict keys of GLiT-Tiny; the decoding of the official architecture lists;
/// same padding for odd and even kernels; finite differences through the global-local mixer.
/// </summary>
public sealed class GlitTests
{
    [Theory]
    [InlineData("a", 3, 4, 3, 28)]
    [InlineData("b", 5, 8, 1, 32)]
    public void Eval_and_train_outputs_match_the_official_code(string name, int depth, int patch, int channels, int side)
    {
        var golden = GoldenAssert.Load("glit");
        var config = new GlitConfig
        {
            PatchSize = patch,
            EmbedDim = 12,
            NumHeads = 3,
            Layers = GlitVariants.DecodeOfficial(GlitVariants.TinyBaseArch.Take(depth).ToArray(), GlitVariants.TinyArch.Take(depth).ToArray()),
        };
        var model = new Glit(config, ModelOptions.For(new ModelInput(channels, side, side), numClasses: 5));
        model.LoadStateDict(GoldenAssert.Section(golden, name + ".state."), strict: true, pytorchLayout: true);
        model.Eval();
        GoldenAssert.ForwardAndInputGradient(model, golden, name + ".");

        model.Train();
        using (TensorScope.Enter())
        {
            GoldenAssert.Close(golden[name + ".train.y"], model.Forward(golden[name + ".x"]));
        }
        var after = model.StateDict();
        foreach (string k in new[] { "running_mean", "running_var" })
        {
            string key = "blocks.1.0.attn.net.4." + k;
            GoldenAssert.Close(golden[name + ".train." + key], after[key]);
        }
    }

    [Fact]
    public void Tiny_keys_and_shapes_equal_the_official_list_in_order()
    {
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Models", "Fixtures", "glit_tiny.keys.txt"))
            .Where(l => l.Length > 0).ToArray();
        var actual = ModelRegistry.Create("glit_tiny").StateDict(pytorchLayout: true)
            .Select(kv => $"{kv.Key} {string.Join('x', kv.Value.Shape.ToArray())}").ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Tiny_layers_decode_as_the_official_constructor_builds_them()
    {
        // (global heads, e_v, e_c, kernel, MLP ratio) per layer, read off RetrainTransformer.__init__'s loops
        // (the same as architectures.json's layers_decoded); e_c and kernel only matter with local heads, e_v with global ones.
        (int G, float Ev, int Ec, int K, float Mlp)[] expected =
        [
            (3, 0.5f, 1, 31, 4), (0, 1, 2, 31, 4), (1, 1, 4, 31, 6), (3, 1, 1, 31, 4), (0, 1, 4, 45, 4), (1, 1, 4, 31, 6),
            (3, 1, 1, 31, 2), (1, 1, 4, 31, 2), (0, 1, 4, 45, 4), (3, 1, 1, 31, 4), (0, 1, 4, 31, 4), (3, 2, 1, 31, 6),
        ];
        var layers = GlitVariants.DecodeOfficial(GlitVariants.TinyBaseArch, GlitVariants.TinyArch);
        Assert.Equal(expected.Length, layers.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            var (g, ev, ec, k, mlp) = expected[i];
            var l = layers[i];
            Assert.Equal(g, l.GlobalHeads);
            Assert.Equal(3 - g, l.LocalHeads);
            Assert.Equal(mlp, l.MlpRatio);
            if (g > 0) Assert.Equal(ev, l.GlobalExpansion);
            if (g < 3)
            {
                Assert.Equal(ec, l.LocalExpansion);
                Assert.Equal(k, l.Kernel);
            }
        }
        Assert.Throws<UserInputException>(() => GlitVariants.DecodeOfficial([3, 0], [1]));
        Assert.Throws<UserInputException>(() => GlitVariants.DecodeOfficial([4], [1]));
        Assert.Throws<UserInputException>(() => GlitVariants.DecodeOfficial([1], [9]));
    }

    [Fact]
    public void Tiny_profile_rows_follow_the_layers()
    {
        var profile = ModelRegistry.Profile("glit_tiny");
        var rows = profile.Layers.ToDictionary(l => l.Name);
        Assert.Equal(197L * 512 * 31, rows["blocks.2.0.attn.net.3.conv"].Macs);          // mixed layer: inner 128·4, kernel 31
        Assert.Equal(512L * 32, rows["blocks.2.0.attn.net.3.conv"].Params);
        Assert.Equal(2L * 197 * 197 * 96, rows["blocks.0.0.attn.attn"].Macs);            // e_v 0.5: 3 heads of 32
        Assert.False(rows.ContainsKey("blocks.1.0.attn.qkv"));                          // all-local layer
        Assert.False(rows.ContainsKey("blocks.0.0.attn.net.1"));                        // all-global layer
        // Any multiple of the patch: the position embedding follows the grid.
        var model = ModelRegistry.Create("glit_tiny", ModelOptions.For(new ModelInput(3, 32, 48), numClasses: 3));
        Assert.Equal([1, 7, 192], model.StateDict()["pos_embed"].Shape.ToArray());
        Assert.Equal(model.ParameterCount(), ModelRegistry.Profile("glit_tiny", ModelOptions.For(new ModelInput(3, 32, 48), numClasses: 3)).Params);
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(4, 5)]
    [InlineData(7, 3)]
    [InlineData(8, 2)]
    public void Same_padding_keeps_the_length_for_odd_and_even_kernels(int kernel, int tokens)
    {
        // The official padding: k/2 zeros before, k/2 − (k+1) mod 2 after; y[t] = b + Σ_j w[j]·x[t + j − k/2].
        const int channels = 3;
        var conv = new SamePaddedConv1d(channels, kernel, new Generator(5));
        var p = conv.NamedParameters().ToDictionary(e => e.Name, e => e.Parameter.Value);
        var x = Tensor.Empty(2, tokens, channels);
        new Generator(6).FillNormal(x.AsSpan());
        float[] w = p["conv.weight"].ToArray(), b = p["conv.bias"].ToArray();
        using (TensorScope.Enter())
        {
            var y = conv.Forward(x);
            Assert.Equal([2, tokens, channels], y.Shape.ToArray());
            for (int n = 0; n < 2; n++)
            {
                for (int t = 0; t < tokens; t++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        double expected = b[c];
                        for (int j = 0; j < kernel; j++)
                        {
                            int s = t + j - kernel / 2;
                            if (s >= 0 && s < tokens) expected += w[c * kernel + j] * x[n, s, c];
                        }
                        Assert.Equal(expected, y[n, t, c], 4);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(3, 0, 1f)]
    [InlineData(0, 3, 1f)]
    [InlineData(1, 2, 2f)]
    [InlineData(2, 1, 0.5f)]
    public void Mixer_gradients_match_finite_differences(int globalHeads, int localHeads, float globalExpansion)
    {
        // Width 6: heads of 2 channels; kernel 5 over 4 tokens reaches past both ends.
        var mixer = new GlobalLocalAttention(dim: 6, globalHeads, localHeads, globalExpansion, localExpansion: 2, kernel: 5, new Generator(3));
        var gen = new Generator(11);
        foreach (var (name, p) in mixer.NamedParameters())
        {
            if (name.EndsWith("4.weight", StringComparison.Ordinal)) gen.FillUniform(p.Value.AsSpan(), 0.5f, 1.5f);
            else gen.FillNormal(p.Value.AsSpan(), 0, 0.5f);
        }
        // A view as input: a [2, 4, 8] tensor narrowed to 6 channels. Training mode: BatchNorm on batch statistics.
        var full = Tensor.Empty(2, 4, 8);
        gen.FillNormal(full.AsSpan());
        var probe = new float[2 * 4 * 6];
        gen.FillUniform(probe, -1f, 1f);
        var weights = Tensor.FromArray(probe, 2, 4, 6);
        full.RequiresGrad = true;

        double Loss()
        {
            using (TensorScope.Enter())
            {
                float[] y = mixer.Forward(full.Detach().Narrow(2, 1, 6)).ToArray();
                double sum = 0;
                for (int i = 0; i < y.Length; i++) sum += (double)y[i] * probe[i];
                return sum;
            }
        }

        using (TensorScope.Enter())
        {
            Functional.Sum(Functional.Mul(mixer.Forward(full.Narrow(2, 1, 6)), weights)).Backward();
        }
        Assert.True(full.Grad is not null, "the input got no gradient.");
        var checks = new List<(string Name, Tensor Value, Tensor Grad)> { ("x", full, full.Grad!) };
        foreach (var (name, p) in mixer.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name} got no gradient.");
            checks.Add((name, p.Value, p.Grad!));
        }
        const float eps = 1e-2f;
        foreach (var (name, value, grad) in checks)
        {
            var data = value.AsSpan().ToArray();
            var g = grad.ToArray();
            for (int i = 0; i < data.Length; i += 1 + data.Length / 29)
            {
                value.AsSpan()[i] = data[i] + eps;
                double plus = Loss();
                value.AsSpan()[i] = data[i] - eps;
                double minus = Loss();
                value.AsSpan()[i] = data[i];
                double numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(numeric - g[i]) <= 1e-2 * Math.Max(1, Math.Abs(numeric)), $"{name}[{i}]: analytic {g[i]}, numeric {numeric}.");
            }
        }
    }

    [Theory]
    [InlineData(2, 0, 1f, "add up to 3")]
    [InlineData(1, 2, 0.3f, "global expansion")]
    public void Impossible_layers_are_rejected_with_one_sentence(int globalHeads, int localHeads, float globalExpansion, string expected)
    {
        var config = new GlitConfig
        {
            EmbedDim = 12,
            Layers = [new GlitLayerConfig { GlobalHeads = globalHeads, LocalHeads = localHeads, GlobalExpansion = globalExpansion }],
        };
        var e = Assert.Throws<UserInputException>(() => new Glit(config, ModelOptions.For(new ModelInput(3, 32, 32), numClasses: 5)));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<UserInputException>(() => Glit.Profile("x", config, ModelOptions.For(new ModelInput(3, 32, 32))));
    }
}
