using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Tests.Models;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// The AutoFormer supernet against the official <c>Vision_TransformerSuper</c> (vectors from
/// <c>Supernets/Golden/make_autoformer_supernet.py</c>, float64 in torch, float32 here): the same weights under the
/// official names, three subnets set by the official <c>set_sample_config</c> — logits, input gradients and every
/// parameter's gradient (zero outside the slices the official code uses). And the official checkpoint format loads as it is:
/// a second small supernet saved the way supernet_train.py saves checkpoint.pth (weights under 'model', float16 here, beside
/// the epoch, scaler state and an argparse.Namespace) gives the official logits of two subnets once activated.
/// </summary>
public sealed class AutoFormerSupernetGoldenTests
{
    private static readonly AutoFormerSpace Space = new(new AutoFormerSpaceConfig
    {
        SuperEmbedDim = 128, SuperDepth = 2, SuperMlpRatio = 1.5f, SuperNumHeads = 2,
        EmbedDims = [24, 64, 128], Depths = [1, 2], MlpRatios = [1f, 1.5f], NumHeads = [1, 2],
        HeadDim = 64, PatchSize = 6, MaxRelativePosition = 2, Input = new ModelInput(3, 24, 24),
    }, "golden");

    // The cases of make_autoformer_supernet.py: (width, heads per layer, MLP ratio per layer).
    private static readonly (int Embed, int[] Heads, string[] Ratios)[] Cases =
    [
        (24, [2, 1], ["1.5", "1"]),
        (128, [2, 2], ["1.5", "1.5"]),
        (64, [1], ["1.5"]),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Matches_the_official_supernet(int c)
    {
        var golden = SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Supernets", "Golden", "autoformer_supernet.safetensors"));
        var net = Space.CreateSupernet(ModelOptions.For(Space.DefaultInput, numClasses: 5));
        net.LoadStateDict(OfficialWeights(net), strict: true, pytorchLayout: true);
        var (embed, heads, ratios) = Cases[c];
        net.Activate(Subnet("golden", embed, heads, ratios));
        net.Eval();
        GoldenAssert.ForwardAndInputGradient(net, golden, $"c{c}.");

        foreach (var (name, p) in net.NamedParameters())
        {
            var expected = golden[$"c{c}.grad.{name}"];
            var grad = p.Grad is { } g ? g : Tensor.Zeros(p.Shape);
            var external = ToPytorch(name, grad);
            if (external.Rank >= 2)
            {
                // The golden keeps [rows, every 16th of the rest].
                var flat = external.Reshape(external.Size(0), -1);
                int cols = expected.Size(1);
                var kept = Tensor.Zeros(flat.Size(0), cols);
                var src = flat.ToArray();
                var dst = kept.AsSpan();
                for (int r = 0; r < flat.Size(0); r++)
                    for (int k = 0; k < cols; k++) dst[r * cols + k] = src[r * flat.Size(1) + 16 * k];
                external = kept;
            }
            float[] e = expected.ToArray(), a = external.ToArray();
            Assert.Equal(e.Length, a.Length);
            float scale = 0;
            foreach (float v in e) scale = MathF.Max(scale, MathF.Abs(v));
            for (int i = 0; i < e.Length; i++)
            {
                // Zeros within rounding (the k bias's gradient is zero in exact arithmetic, softmax cancels it);
                // exact zeros outside the active slices are checked in AutoFormerSupernetTests.
                Assert.True(MathF.Abs(e[i] - a[i]) <= 1e-4f * scale + 1e-6f, $"case {c}: {name}[{i}] gradient {a[i]}, official {e[i]} (scale {scale}).");
            }
        }
    }

    /// <summary>The architecture the official <c>set_sample_config</c> sets: width, and per layer heads and MLP ratio.</summary>
    private static Architecture Subnet(string preset, int embed, int[] heads, string[] ratios)
    {
        var entries = new List<KeyValuePair<string, string>>
        {
            new("depth", heads.Length.ToString(CultureInfo.InvariantCulture)), new("embed_dim", embed.ToString(CultureInfo.InvariantCulture)),
        };
        for (int i = 0; i < heads.Length; i++)
        {
            entries.Add(new(AutoFormerChoices.MlpRatio(i).Name, ratios[i]));
            entries.Add(new(AutoFormerChoices.Heads(i).Name, heads[i].ToString(CultureInfo.InvariantCulture)));
        }
        return new Architecture("autoformer", preset, entries);
    }

    /// <summary>The formula make_autoformer_supernet.py fills the official parameters with, in PyTorch's layout.</summary>
    private static Dictionary<string, Tensor> OfficialWeights(Supernet net)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, t) in net.StateDict(pytorchLayout: true))
        {
            double phase = 0;
            foreach (char ch in name) phase += ch;
            phase *= 0.1;
            var values = new float[t.Numel];
            for (int i = 0; i < values.Length; i++)
            {
                double s = Math.Sin(0.37 * i + phase);
                values[i] = (float)(name.EndsWith("norm.weight", StringComparison.Ordinal) ? 1 + 0.2 * s : name.Contains("embeddings_table", StringComparison.Ordinal) ? 0.3 * s : 0.15 * s);
            }
            result[name] = Tensor.FromArray(values, t.Shape);
        }
        return result;
    }

    /// <summary>A gradient in PyTorch's layout: the patch convolution's OHWI → OIHW.</summary>
    private static Tensor ToPytorch(string name, Tensor grad) =>
        name == "patch_embed_super.proj.weight" ? grad.Permute(0, 3, 1, 2).Contiguous() : grad;

    private static readonly AutoFormerSpace SmallSpace = new(new AutoFormerSpaceConfig
    {
        SuperEmbedDim = 64, SuperDepth = 2, SuperMlpRatio = 1.5f, SuperNumHeads = 1,
        EmbedDims = [32, 64], Depths = [1, 2], MlpRatios = [1f, 1.5f], NumHeads = [1],
        HeadDim = 64, PatchSize = 4, MaxRelativePosition = 2, Input = new ModelInput(3, 8, 8),
    }, "official-pth");

    // The second part of the script: AutoFormer's official checkpoint format, and its cases (width, MLP ratio per layer).
    private static readonly (int Embed, string[] Ratios)[] CheckpointCases = [(32, ["1.5", "1"]), (64, ["1.5"])];

    [Fact]
    public void The_official_supernet_checkpoint_loads_and_its_subnets_give_the_official_logits()
    {
        var net = SmallSpace.CreateSupernet(ModelOptions.For(SmallSpace.DefaultInput, numClasses: 5));
        var notes = new List<string>();
        net.LoadWeights(Path.Combine(AppContext.BaseDirectory, "Supernets", "Golden", "autoformer_supernet_official.pth"), strict: true, notice: notes.Add);
        Assert.Contains(notes, n => n.Contains("taking the state dict under 'model'", StringComparison.Ordinal));

        var golden = SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Supernets", "Golden", "autoformer_supernet_official.safetensors"));
        net.Eval();
        for (int c = 0; c < CheckpointCases.Length; c++)
        {
            var (embed, ratios) = CheckpointCases[c];
            net.Activate(Subnet("official-pth", embed, [.. ratios.Select(_ => 1)], ratios));
            using var _ = Tape.NoGrad();
            GoldenAssert.Close(golden[$"c{c}.y"], net.Forward(golden["x"]));
        }
    }
}
