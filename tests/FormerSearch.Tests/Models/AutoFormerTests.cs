using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Models;

/// <summary>
/// AutoFormer against the official microsoft/Cream code: a small subnet's logits, input gradient and relative
/// position table gradients (vectors from <c>Models/Golden/make_autoformer.py</c>, float64 in torch, float32 here,
/// tolerance 1e-4 relative to the largest value), the official state-dict keys of AutoFormer-T, the relative
/// position indexing, and finite differences through one attention layer.
/// </summary>
public sealed class AutoFormerTests
{
    private static AutoFormerConfig GoldenConfig => new()
    {
        PatchSize = 6,
        EmbedDim = 24,
        NumHeads = [2, 1],
        MlpRatios = [2f, 1.5f],
        MaxRelativePosition = 2,
    };

    [Fact]
    public void Forward_input_and_table_gradients_match_the_official_code()
    {
        var golden = GoldenAssert.Load("autoformer");
        var model = new AutoFormer(GoldenConfig, ModelOptions.For(new ModelInput(3, 24, 24), numClasses: 5));
        model.LoadStateDict(GoldenAssert.Section(golden, "state."), strict: true, pytorchLayout: true);
        model.Eval();
        GoldenAssert.ForwardAndInputGradient(model, golden);
        var parameters = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (string k in new[] { "k", "v" })
        {
            foreach (string t in new[] { "v", "h" })
            {
                string key = $"blocks.0.attn.rel_pos_embed_{k}.embeddings_table_{t}";
                GoldenAssert.Close(golden["grad." + key], parameters[key].Grad!);
            }
        }
    }

    [Fact]
    public void Tiny_keys_and_shapes_equal_the_official_list_in_order()
    {
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Models", "Fixtures", "autoformer_tiny.keys.txt"))
            .Where(l => l.Length > 0).ToArray();
        var actual = ModelRegistry.Create("autoformer_tiny").StateDict(pytorchLayout: true)
            .Select(kv => $"{kv.Key} {string.Join('x', kv.Value.Shape.ToArray())}").ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Relative_positions_clip_distances_and_give_the_class_token_row_zero()
    {
        // Rows 0 of both tables hold 1, row r holds 10·r in channel 0, so an embedding reads back its two indices.
        var rel = new RelativePosition2D(headDim: 1, maxRelativePosition: 1, new Generator(0));
        var tables = rel.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value);
        float[] rows = [1, 10, 20, 30];
        tables["embeddings_table_v"].CopyFrom(Tensor.FromArray(rows, 4, 1));
        tables["embeddings_table_h"].CopyFrom(Tensor.FromArray([0.1f, 1, 2, 3], 4, 1));
        var e = rel.Forward(patches: 6, gridW: 3);                                   // a 2×3 grid, N = 7
        Assert.Equal([7, 7, 1], e.Shape.ToArray());
        Assert.Equal(1.1f, e[0, 0, 0], 5);                                           // class token pairs: row 0 + row 0
        Assert.Equal(1.1f, e[0, 4, 0], 5);
        Assert.Equal(1.1f, e[5, 0, 0], 5);
        Assert.Equal(22f, e[1, 1, 0], 5);                                            // same patch: distance 0 → index 2
        Assert.Equal(33f, e[1, 6, 0], 5);                                            // patch 0 → 5: down 1, right 2 clipped to 1 → 3, 3
        Assert.Equal(11f, e[6, 1, 0], 5);                                            // patch 5 → 0: up 1, left 2 clipped to −1 → 1, 1
        Assert.Equal(21f, e[3, 1, 0], 5);                                            // patch 2 → 0: same row, left 2 clipped → 2, 1
        Assert.Throws<ArgumentException>(() => rel.Forward(patches: 7, gridW: 3));
    }

    [Fact]
    public void Attention_gradients_match_finite_differences()
    {
        var attention = new AutoFormerAttention(dim: 5, numHeads: 2, headDim: 3, maxRelativePosition: 1, new Generator(3));
        var gen = new Generator(11);
        foreach (var (_, p) in attention.NamedParameters()) gen.FillNormal(p.Value.AsSpan(), 0, 0.5f);
        // A view as input: a [2, 5, 7] tensor narrowed to 5 channels, 1 + 4 tokens of a 2×2 grid.
        var full = Tensor.Empty(2, 5, 7);
        gen.FillNormal(full.AsSpan());
        var weights = Tensor.Empty(2, 5, 5);
        gen.FillNormal(weights.AsSpan());
        full.RequiresGrad = true;
        var x = full.Narrow(2, 1, 5);

        float Loss()
        {
            using (TensorScope.Enter()) return Functional.Sum(Functional.Mul(attention.Forward(full.Detach().Narrow(2, 1, 5), 2), weights)).Item();
        }

        using (TensorScope.Enter())
        {
            Functional.Sum(Functional.Mul(attention.Forward(x, 2), weights)).Backward();
        }
        Assert.True(full.Grad is not null, "the input got no gradient.");
        var checks = new List<(Tensor Value, Tensor Grad)> { (full, full.Grad!) };
        foreach (var (name, p) in attention.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name} got no gradient.");
            checks.Add((p.Value, p.Grad!));
        }
        const float eps = 1e-2f;
        foreach (var (value, grad) in checks)
        {
            var data = value.AsSpan().ToArray();
            var g = grad.ToArray();
            for (int i = 0; i < data.Length; i += 1 + data.Length / 23)
            {
                value.AsSpan()[i] = data[i] + eps;
                float plus = Loss();
                value.AsSpan()[i] = data[i] - eps;
                float minus = Loss();
                value.AsSpan()[i] = data[i];
                float numeric = (plus - minus) / (2 * eps);
                Assert.True(MathF.Abs(numeric - g[i]) <= 2e-2f * MathF.Max(1f, MathF.Abs(numeric)), $"element {i} of a [{string.Join(',', value.Shape.ToArray())}] input: analytic {g[i]}, numeric {numeric}.");
            }
        }
    }

    [Fact]
    public void Per_layer_lists_of_different_lengths_are_rejected()
    {
        var config = new AutoFormerConfig { EmbedDim = 24, NumHeads = [2, 1], MlpRatios = [2f] };
        var e = Assert.Throws<UserInputException>(() => new AutoFormer(config, ModelOptions.For(new ModelInput(3, 32, 32), numClasses: 5)));
        Assert.Contains("MLP ratios", e.Message);
    }
}
