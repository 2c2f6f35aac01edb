using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Supernets.AutoFormer;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Tests.Supernets;

public sealed class AutoFormerSupernetTests
{
    private static readonly AutoFormerSpace Mini = AutoFormerSpace.Create("mini");

    // A tiny input: 12×12 in 4×4 patches is a 3×3 grid, 10 tokens.
    private static readonly ModelOptions Tiny = new() { InChannels = 1, ImageHeight = 12, ImageWidth = 12, NumClasses = 5, Seed = 3 };

    private static Tensor Images(int batch, ulong seed = 1)
    {
        var x = Tensor.Empty(batch, 12, 12, 1);
        new Generator(seed).FillNormal(x.AsSpan());
        return x;
    }

    public static TheoryData<string> Subnets() => new() { "smallest", "largest", "random1", "random2", "random3" };

    private static Architecture Pick(string which) => which switch
    {
        "smallest" => Mini.Smallest(),
        "largest" => Mini.Largest(),
        _ => Mini.Sample(new Generator((ulong)which[^1])),
    };

    [Fact]
    public void Has_the_official_supernet_names_and_shapes_and_starts_at_the_largest()
    {
        var net = (AutoFormerSupernet)Mini.CreateSupernet(ModelOptions.For(Mini.DefaultInput, 10));
        Assert.Equal(Mini.Largest(), net.Active);
        Assert.Same(Mini, net.Space);
        var sd = net.StateDict(pytorchLayout: true);
        Assert.Equal([1, 50, 128], sd["pos_embed"].Shape.ToArray());
        Assert.Equal([1, 1, 128], sd["cls_token"].Shape.ToArray());
        Assert.Equal([128, 1, 4, 4], sd["patch_embed_super.proj.weight"].Shape.ToArray());
        Assert.Equal([384, 128], sd["blocks.5.attn.qkv.weight"].Shape.ToArray());      // qkv_super(embed, 3·embed)
        Assert.Equal([384], sd["blocks.5.attn.qkv.bias"].Shape.ToArray());
        Assert.Equal([30, 32], sd["blocks.0.attn.rel_pos_embed_k.embeddings_table_v"].Shape.ToArray());
        Assert.Equal([30, 32], sd["blocks.0.attn.rel_pos_embed_v.embeddings_table_h"].Shape.ToArray());
        Assert.Equal([128, 128], sd["blocks.0.attn.proj.weight"].Shape.ToArray());
        Assert.Equal([512, 128], sd["blocks.0.fc1.weight"].Shape.ToArray());
        Assert.Equal([128, 512], sd["blocks.0.fc2.weight"].Shape.ToArray());
        Assert.Equal([128], sd["blocks.0.ffn_layer_norm.bias"].Shape.ToArray());
        Assert.Equal([128], sd["norm.weight"].Shape.ToArray());
        Assert.Equal([10, 128], sd["head.weight"].Shape.ToArray());
        Assert.False(sd.ContainsKey("blocks.6.fc1.weight"));
        // The extracted largest subnet has the same names as the supernet (the zoo follows the official names).
        Assert.Equal(net.StateDict().Keys.ToHashSet(), net.Extract(Mini.Largest()).StateDict().Keys.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Subnets))]
    public void Extracted_subnet_computes_what_the_supernet_computes(string which)
    {
        var arch = Pick(which);
        var net = Mini.CreateSupernet(Tiny);
        net.Activate(arch);
        var model = net.Extract(arch);
        Assert.Equal(Mini.Profile(arch, Tiny).Params, model.ParameterCount());
        foreach (bool train in new[] { false, true })
        {
            net.Train(train);
            model.Train(train);
            using var _ = TensorScope.Enter();
            var expected = model.Forward(Images(3)).ToArray();
            var actual = net.Forward(Images(3)).ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
        }
    }

    [Theory]
    [MemberData(nameof(Subnets))]
    public void Gradients_land_in_the_active_slices_only_and_equal_the_subnets(string which)
    {
        var arch = Pick(which);
        var net = Mini.CreateSupernet(Tiny);
        net.Activate(arch);
        var model = net.Extract(arch);
        foreach (var m in new VisionModel[] { net, model })
        {
            using var _ = TensorScope.Enter();
            Functional.CrossEntropy(m.Forward(Images(2)), [0, 3]).Backward();
        }

        var config = Mini.ToConfig(arch);
        var subnetGrads = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad!);
        foreach (var (name, p) in net.NamedParameters())
        {
            // The supernet's mask of used elements, built from the subnet's shape (the qkv rows interleave).
            var grad = p.Grad?.ToArray() ?? new float[p.Numel];
            var used = new bool[p.Numel];
            var expected = new float[p.Numel];
            if (subnetGrads.TryGetValue(name, out var sub))
                Scatter(name, p.Value, sub, used, expected);
            for (int i = 0; i < grad.Length; i++)
            {
                if (!used[i]) Assert.True(grad[i] == 0f, $"{which}: {name}[{i}] outside the active slice has gradient {grad[i]}.");
                else Assert.True(Math.Abs(grad[i] - expected[i]) <= 1e-4f + 1e-3f * Math.Abs(expected[i]), $"{which}: {name}[{i}] gradient {grad[i]} vs the subnet's {expected[i]}.");
            }
        }
        Assert.Contains(net.NamedParameters(), p => p.Name.StartsWith($"blocks.{config.Depth - 1}.", StringComparison.Ordinal) && p.Parameter.Grad is not null);
    }

    /// <summary>Where each element of a subnet tensor lives in the supernet's (row-major flat index), and its value.</summary>
    private static void Scatter(string name, Tensor whole, Tensor sub, bool[] used, float[] values)
    {
        var v = sub.ToArray();
        var shape = sub.Shape.ToArray();
        var wholeShape = whole.Shape.ToArray();
        var index = new int[shape.Length];
        for (int flat = 0; flat < v.Length; flat++)
        {
            int rem = flat;
            for (int d = shape.Length - 1; d >= 0; d--) { index[d] = rem % shape[d]; rem /= shape[d]; }
            if (name.EndsWith(".attn.qkv.weight", StringComparison.Ordinal))
            {
                // The subnet's rows are q, k, v one after another; the supernet's row 3·i + part (PartLayout.Interleaved).
                int inner = shape[0] / 3;
                index[0] = 3 * (index[0] % inner) + index[0] / inner;
            }
            int at = 0;
            for (int d = 0; d < shape.Length; d++) at = at * wholeShape[d] + index[d];
            used[at] = true;
            values[at] = v[flat];
        }
    }

    [Fact]
    public void Qkv_slices_rows_as_the_official_code_does()
    {
        // Official sample_weight: cat([w[:3·inner][i::3] for i in 0..2]); sample_bias: b[:3·inner].
        var qkv = new SlicedLinear(4, 6, new Generator(1), SlicedInit.TruncNormal, parts: 3, layout: PartLayout.Interleaved);
        qkv.Activate(3, 3);
        var w = qkv.Weight.Value.AsSpan();
        for (int i = 0; i < w.Length; i++) w[i] = i / 4;        // each row holds its row number
        var b = qkv.Bias!.Value.AsSpan();
        for (int i = 0; i < b.Length; i++) b[i] = 100 * i;
        var x = Tensor.FromArray([1f, 0f, 0f], 1, 3);          // input 3 of 4 channels: the first column only
        Assert.Equal([0f + 0, 3 + 100, 6 + 200], qkv.Part(x, 0).ToArray());
        Assert.Equal([1f + 300, 4 + 400, 7 + 500], qkv.Part(x, 1).ToArray());
        Assert.Equal([2f + 600, 5 + 700, 8 + 800], qkv.Part(x, 2).ToArray());
    }

    [Fact]
    public void Activate_rejects_other_spaces_and_reset_classifier_keeps_working()
    {
        var net = Mini.CreateSupernet(Tiny);
        Assert.Throws<UserInputException>(() => net.Activate(AutoFormerSpace.Create("tiny").Smallest()));
        Assert.Equal(Mini.Largest(), net.Active);
        net.ResetClassifier(7);
        net.Activate(Mini.Smallest());
        using var _ = TensorScope.Enter();
        Assert.Equal([2, 7], net.Forward(Images(2)).Shape.ToArray());
        Assert.Equal(7, net.Extract(Mini.Smallest()).NumClasses);
    }

    [Fact]
    public void Trains_with_dropout_and_drop_path_deterministically()
    {
        float[] Run()
        {
            var net = Mini.CreateSupernet(Tiny with { DropRate = 0.1f, DropPathRate = 0.2f });
            Assert.NotNull(net.Randomness);
            net.Activate(Mini.Sample(new Generator(4)));
            using var _ = TensorScope.Enter();
            var logits = net.Forward(Images(4));
            Functional.Sum(logits).Backward();
            return logits.ToArray();
        }
        var a = Run();
        Assert.All(a, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(a, Run());
    }

    [Fact]
    public void Tiny_supernet_keys_and_shapes_equal_the_official_list_in_order()
    {
        // Supernets/Golden/make_supernet_keys.py: the official Vision_TransformerSuper of supernet-T.yaml.
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Supernets", "Fixtures", "autoformer_supernet_tiny.keys.txt"))
            .Where(l => l.Length > 0).ToArray();
        var actual = AutoFormerSpace.Create("tiny").CreateSupernet(ModelOptions.For(ModelInput.ImageNet)).StateDict(pytorchLayout: true)
            .Select(kv => $"{kv.Key} {string.Join('x', kv.Value.Shape.ToArray())}").ToArray();
        Assert.Equal(expected, actual);
    }
}
