using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Supernets.Glit;
using FormerSearch.Tests.Training;
using FormerSearch.Training;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// The GLiT supernet on the <c>mini</c> space at a tiny input: an extracted subnet computes what the supernet computes
/// (train and eval mode, smallest, largest and random subnets), gradients stay in the active slices, BatchNorm
/// statistics can be recalibrated, samplers drive it — with head splits of their own weights and with shared ones.
/// </summary>
public sealed class GlitSupernetTests
{
    private static readonly GlitSpace Space = new("mini");

    private static readonly ModelOptions Tiny = new() { InChannels = 1, ImageHeight = 12, ImageWidth = 12, NumClasses = 5, Seed = 7 };

    private static Tensor Images(int batch, int side, ulong seed)
    {
        var x = Tensor.Zeros(batch, side, side, 1);
        new Generator(seed).FillNormal(x.AsSpan());
        return x;
    }

    // Each subnet with head splits of their own weights and with shared ones.
    public static TheoryData<string, HeadSplitWeights> InBothModes(string which)
    {
        var cases = new TheoryData<string, HeadSplitWeights>();
        foreach (string w in which.Split(' '))
            foreach (var mode in Enum.GetValues<HeadSplitWeights>()) cases.Add(w, mode);
        return cases;
    }

    private static Architecture Pick(string which) => which switch
    {
        "smallest" => Space.Smallest(),
        "largest" => Space.Largest(),
        _ => Space.Sample(new Generator(ulong.Parse(which))),
    };

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        float[] e = expected.ToArray(), a = actual.ToArray();
        Assert.Equal(e.Length, a.Length);
        float scale = Math.Max(1f, e.Max(MathF.Abs));
        for (int i = 0; i < e.Length; i++) Assert.True(MathF.Abs(e[i] - a[i]) <= 1e-5f * scale, $"element {i}: {e[i]} vs {a[i]}");
    }

    [Theory]
    [MemberData(nameof(InBothModes), "smallest largest 1 2 3")]
    public void Extracted_subnet_computes_what_the_supernet_computes_in_train_and_eval_mode(string which, HeadSplitWeights headSplits)
    {
        var supernet = (GlitSupernet)Space.CreateSupernet(Tiny, headSplits);
        var x = Images(3, 12, 1);
        // Training forwards through other subnets move the running statistics away from their initial values.
        var rng = new Generator(99);
        using (Tape.NoGrad())
        {
            for (int t = 0; t < 3; t++)
            {
                using var _ = TensorScope.Enter();
                supernet.Activate(Space.Sample(rng));
                supernet.Forward(Images(3, 12, (ulong)t + 10));
            }
        }
        var arch = Pick(which);
        supernet.Activate(arch);
        var standalone = supernet.Extract(arch);
        Assert.IsType<Glit>(standalone);
        Assert.True(standalone.Training);
        using (Tape.NoGrad())
        {
            AssertClose(supernet.Forward(x), standalone.Forward(x));
            supernet.Eval();
            standalone.Eval();
            AssertClose(supernet.Forward(x), standalone.Forward(x));
        }
    }

    [Theory]
    [MemberData(nameof(InBothModes), "smallest 4 5")]
    public void Gradients_outside_the_active_slices_are_exactly_zero(string which, HeadSplitWeights headSplits)
    {
        var supernet = (GlitSupernet)Space.CreateSupernet(Tiny, headSplits);
        var arch = Pick(which);
        // Number every parameter element, extract: the numbers the standalone model holds are the active elements.
        var parameters = supernet.NamedParameters().Select(p => p.Parameter).ToArray();
        var saved = parameters.Select(p => p.Value.Clone()).ToArray();
        float id = 1;
        foreach (var p in parameters)
        {
            var span = p.Value.AsSpan();
            for (int i = 0; i < span.Length; i++) span[i] = id++;
        }
        Assert.True(id < 1 << 24);
        var active = new HashSet<float>();
        foreach (var p in supernet.Extract(arch).Parameters())
            foreach (float v in p.Value.ToArray()) active.Add(v);
        for (int i = 0; i < parameters.Length; i++) parameters[i].Value.CopyFrom(saved[i]);

        supernet.Activate(arch);
        supernet.ZeroGrad();
        var loss = Functional.CrossEntropy(supernet.Forward(Images(4, 12, 2)), [0, 1, 2, 3]);
        loss.Backward();
        int nonzero = 0;
        float next = 1;
        foreach (var p in parameters)
        {
            float first = next;
            next += p.Numel;
            if (p.Grad is null) continue;
            var g = p.Grad.AsSpan();
            for (int i = 0; i < g.Length; i++)
            {
                if (active.Contains(first + i)) nonzero += g[i] != 0 ? 1 : 0;
                else Assert.True(g[i] == 0f, $"gradient {g[i]} outside the active slices at element {i} of a {p}");
            }
        }
        Assert.True(nonzero > active.Count / 2, $"only {nonzero} of {active.Count} active elements have a gradient");
    }

    [Theory]
    [InlineData(HeadSplitWeights.Own)]
    [InlineData(HeadSplitWeights.Shared)]
    public void Recalibrated_batch_norms_give_the_outputs_the_recalibrated_standalone_model_gives(HeadSplitWeights headSplits)
    {
        var supernet = (GlitSupernet)Space.CreateSupernet(Tiny, headSplits);
        var arch = Space.Sample(new Generator(6));
        Assert.Contains(arch.Entries, e => e.Key.EndsWith(".kernel", StringComparison.Ordinal));
        var (images, labels) = TensorBatchSource.Random(12, 12, 12, 1, 5, seed: 3);
        var data = new TensorBatchSource(images, labels, 4);
        supernet.Activate(arch);
        var standalone = supernet.Extract(arch);
        Assert.True(BatchNormCalibration.Recalibrate(supernet, data, 3));
        Assert.True(BatchNormCalibration.Recalibrate(standalone, data, 3));
        supernet.Eval();
        standalone.Eval();
        var x = Images(2, 12, 8);
        using (Tape.NoGrad())
        {
            AssertClose(standalone.Forward(x), supernet.Forward(x));
            AssertClose(standalone.Forward(x), supernet.Extract(arch).Forward(x));
        }
    }

    [Fact]
    public void Largest_is_active_at_first_and_batch_norms_can_be_recalibrated()
    {
        var supernet = (GlitSupernet)Space.CreateSupernet(Tiny);
        Assert.Equal(Space.Largest(), supernet.Active);
        Assert.Same(supernet.Randomness, supernet.Randomness);
        Assert.NotNull(supernet.Randomness);
        var norms = supernet.Modules().OfType<IRunningStatistics>().ToArray();
        Assert.Equal(6 * 3, norms.Length);   // one per split with local heads, per block
        long largest = Space.Profile(Space.Largest(), Tiny).Params;
        Assert.True(supernet.ParameterCount() > largest);
        Assert.Equal(largest, supernet.Extract(Space.Largest()).ParameterCount());
    }

    [Fact]
    public void Samplers_activate_valid_subnets_and_a_step_trains_through_them()
    {
        var supernet = (GlitSupernet)Space.CreateSupernet(Tiny);
        var sampler = new SubnetSampler(supernet, SamplerKind.Sandwich, seed: 3);
        var x = Images(2, 12, 4);
        for (int pass = 0; pass < sampler.PassesPerStep(0); pass++)
        {
            sampler.BeforePass(0, pass);
            Assert.Equal(sampler.Picks(0)[pass], supernet.Active);
            using var _ = TensorScope.Enter();
            Functional.CrossEntropy(supernet.Forward(x), [1, 2]).Backward();
        }
        var spos = SubnetSampler.EachChoiceUniform(Space, new Generator(1));
        Assert.Equal(spos, Space.Validate(spos));
    }

    [Fact]
    public void Shared_head_splits_hold_one_mixer_per_block_of_every_head_of_both_kinds()
    {
        var own = (GlitSupernet)Space.CreateSupernet(Tiny);
        var shared = (GlitSupernet)Space.CreateSupernet(Tiny, HeadSplitWeights.Shared);
        Assert.Equal(6, shared.Modules().OfType<IRunningStatistics>().Count());   // one local BatchNorm per block
        var names = shared.NamedParameters().Select(p => p.Name).ToHashSet();
        Assert.Contains("blocks.0.attn.qkv.weight", names);
        Assert.Contains("blocks.0.attn.net.1.weight", names);
        Assert.DoesNotContain(names, n => n.Contains(".g1l2.", StringComparison.Ordinal));
        // Every head of both kinds once: the largest split of each kind, not one set per split.
        Assert.True(shared.ParameterCount() < own.ParameterCount());
        Assert.Equal(Space.Profile(Space.Largest(), Tiny).Params, shared.Extract(Space.Largest()).ParameterCount());
    }

    [Fact]
    public void With_shared_head_splits_a_channel_keeps_its_weights_whichever_split_is_active()
    {
        // Two subnets that differ only in block 0's split (1 + 2 heads against 2 + 1): channels 0–31 are global in
        // both, 64–95 local in both, and each keeps the same rows and columns of the one mixer's weights.
        var supernet = (GlitSupernet)Space.CreateSupernet(Tiny, HeadSplitWeights.Shared);
        var largest = Space.Largest();
        Architecture WithSplit(int globalHeads) => Space.Validate(largest.With("block0.split", $"{globalHeads}-{3 - globalHeads}")
            .With("block0.kernel", "13").With("block0.local_expansion", "4").With("block0.global_expansion", "2"));
        var one = Params(supernet.Extract(WithSplit(1)));
        var two = Params(supernet.Extract(WithSplit(2)));
        int d = 32;
        // Global: the 1-head split's first q head (rows 0–63 at e_v 2, columns 0–31) is the 2-head split's.
        var qkv1 = one["blocks.0.0.attn.qkv.weight"];
        var qkv2 = two["blocks.0.0.attn.qkv.weight"];
        for (int r = 0; r < 64; r++)
            for (int c = 0; c < d; c++) Assert.Equal(qkv1[r, c], qkv2[r, c]);
        // Local (e_c 4): the 1-head split's inner channels 0–127 read channels 64–95 with the columns the 2-head split's do,
        // and write them with the same rows.
        var expand1 = one["blocks.0.0.attn.net.1.weight"];
        var expand2 = two["blocks.0.0.attn.net.1.weight"];
        for (int r = 0; r < 32 * 4; r++)
            for (int c = 0; c < d; c++) Assert.Equal(expand1[r, d + c], expand2[r, c]);
        var project1 = one["blocks.0.0.attn.net.6.weight"];
        var project2 = two["blocks.0.0.attn.net.6.weight"];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < 32 * 4; c++) Assert.Equal(project1[d + r, c], project2[r, c]);
    }

    // Each parameter as a matrix (a conv1d weight's trailing 1 dropped).
    private static Dictionary<string, float[,]> Params(VisionModel model) => model.NamedParameters()
        .Where(p => p.Parameter.Value.Rank >= 2)
        .ToDictionary(p => p.Name, p =>
        {
            var t = p.Parameter.Value;
            int rows = t.Size(0), cols = t.Numel / rows;
            var values = t.ToArray();
            var m = new float[rows, cols];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) m[i, j] = values[i * cols + j];
            return m;
        });
}
