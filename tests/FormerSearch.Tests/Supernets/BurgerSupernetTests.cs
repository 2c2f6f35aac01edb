using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Supernets.Burger;
using FormerSearch.Supernets.Layers;
using Xunit;

namespace FormerSearch.Tests.Supernets;

public sealed class BurgerSupernetTests
{
    private static readonly ModelInput Tiny = new(1, 28, 28);

    // Layer scales start at 1e-5 and BN statistics at 0/1, which would hide most of a block from the comparison: spread every weight.
    private static void Scramble(Module model, ulong seed)
    {
        var rng = new Generator(seed);
        foreach (var (_, p) in model.NamedParameters()) rng.FillUniform(p.Value.AsSpan(), -0.5f, 0.5f);
        foreach (var (name, b) in model.NamedBuffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) rng.FillUniform(b.AsSpan(), -0.3f, 0.3f);
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) rng.FillUniform(b.AsSpan(), 0.5f, 1.5f);
        }
    }

    private static IEnumerable<Architecture> Subnets(BurgerSpace space, int random)
    {
        yield return space.Smallest();
        yield return space.Largest();
        var rng = new Generator(21);
        for (int i = 0; i < random; i++) yield return space.Sample(rng);
    }

    private static Tensor Images(ulong seed, int batch = 3)
    {
        var x = Tensor.Zeros(batch, Tiny.Height, Tiny.Width, Tiny.Channels);
        new Generator(seed).FillUniform(x.AsSpan(), -1f, 1f);
        return x;
    }

    private static float MaxDiff(Tensor a, Tensor b)
    {
        var x = a.ToArray();
        var y = b.ToArray();
        Assert.Equal(x.Length, y.Length);
        float max = 0f;
        for (int i = 0; i < x.Length; i++) max = MathF.Max(max, MathF.Abs(x[i] - y[i]));
        return max;
    }

    [Theory]
    [InlineData("mini")]
    [InlineData("mini_residual")]
    [InlineData("mini_stem2")]
    public void ExtractedModelComputesWhatTheSupernetComputes(string preset)
    {
        var space = new BurgerSpace(preset);
        var supernet = (BurgerSupernet)space.CreateSupernet(ModelOptions.For(Tiny, 10) with { Seed = 3 });
        Assert.Equal(space.Largest(), supernet.Active);
        Scramble(supernet, 4);
        var x = Images(5);
        float worst = 0f;
        foreach (var a in Subnets(space, 10))
        {
            supernet.Activate(a);
            supernet.Eval();
            var model = supernet.Extract(a);
            Assert.Equal(space.Profile(a, ModelOptions.For(Tiny, 10)).Params, model.ParameterCount());
            model.Eval();
            using (Tape.NoGrad())
            {
                var y = supernet.Forward(x);
                worst = MathF.Max(worst, MaxDiff(y, model.Forward(x)));
                Assert.True(y.ToArray().All(float.IsFinite));
            }
            // Train mode: batch statistics (and the running statistics both update the same way).
            supernet.Train();
            model.Train();
            using (Tape.NoGrad())
            {
                worst = MathF.Max(worst, MaxDiff(supernet.Forward(x), model.Forward(x)));
            }
            supernet.Eval();
            model.Eval();
            using (Tape.NoGrad())
            {
                worst = MathF.Max(worst, MaxDiff(supernet.Forward(x), model.Forward(x)));
            }
        }
        Assert.True(worst <= 2e-5f, $"largest difference {worst}");
    }

    [Fact]
    public void GradientsStayInsideTheActiveSlices()
    {
        var space = new BurgerSpace("mini_residual");
        var supernet = (BurgerSupernet)space.CreateSupernet(ModelOptions.For(Tiny, 10) with { Seed = 7 });
        Scramble(supernet, 8);
        supernet.Train();
        var rng = new Generator(9);
        for (int trial = 0; trial < 4; trial++)
        {
            var a = trial == 0 ? space.Smallest() : space.Sample(rng);
            supernet.Activate(a);
            supernet.ZeroGrad();
            var loss = Functional.CrossEntropy(supernet.Forward(Images(10 + (ulong)trial)), [1, 4, 7]);
            loss.Backward();
            double inside = 0;
            foreach (var (_, view) in supernet.ActiveSlices())
            {
                if (view.Grad is not { } g) continue;
                foreach (float v in g.ToArray()) inside += Math.Abs(v);
                g.CopyFrom(Tensor.Zeros(g.Shape));
            }
            Assert.True(inside > 0);
            foreach (var (name, p) in supernet.NamedParameters())
            {
                if (p.Grad is null) continue;
                foreach (float v in p.Grad.ToArray()) Assert.True(v == 0f, $"{a.Key}: {name} has a gradient outside the active slices");
            }
        }
    }

    [Fact]
    public void BatchNormsRecalibrateThroughIRunningStatistics()
    {
        var space = new BurgerSpace("mini");
        var supernet = (BurgerSupernet)space.CreateSupernet(ModelOptions.For(Tiny, 10));
        var norms = supernet.Modules().OfType<SlicedBatchNorm>().ToList();
        Assert.NotEmpty(norms);
        Assert.All(supernet.Modules().OfType<SlicedBatchNorm>(), n => Assert.IsAssignableFrom<IRunningStatistics>(n));
        foreach (var n in supernet.Modules().OfType<IRunningStatistics>())
        {
            n.ResetRunningStats();
            n.CumulativeAverage = true;
        }
        supernet.Train();
        using (Tape.NoGrad())
        {
            supernet.Forward(Images(1));
            supernet.Forward(Images(2));
        }
        // The largest subnet uses BN after every middle dwise_3x3 (max_arch): all its channels moved, nothing beyond.
        var used = norms.Where(n => n.NumBatchesTracked.AsSpan()[0] == 2f).ToList();
        Assert.NotEmpty(used);
        Assert.All(used, n => Assert.Contains(n.RunningVar.ToArray(), v => v != 1f));
    }

    [Fact]
    public void ResetClassifierAndOptionsCarryToTheExtractedModel()
    {
        var space = new BurgerSpace("mini");
        var supernet = space.CreateSupernet(ModelOptions.For(Tiny, 10));
        supernet.ResetClassifier(7);
        Assert.Equal(7, supernet.NumClasses);
        var model = supernet.Extract(space.Smallest());
        Assert.Equal(7, model.NumClasses);
        Assert.Equal(space.Largest(), supernet.Active);
        Assert.Throws<UserInputException>(() => supernet.Activate(new BurgerSpace("imagenet").Largest()));
    }

    [Fact]
    public void An_extraction_with_another_drop_path_rate_drops_paths_in_training_only()
    {
        var space = new BurgerSpace("mini_residual");
        var supernet = space.CreateSupernet(ModelOptions.For(Tiny, 10) with { Seed = 3 });
        Scramble(supernet, 4);
        var x = Images(6);
        supernet.Eval();
        var (plain, dropping) = (supernet.Extract(space.Largest()), supernet.Extract(space.Largest(), dropPathRate: 0.5f));
        using (Tape.NoGrad()) Assert.Equal(0f, MaxDiff(plain.Forward(x), dropping.Forward(x)));
        plain.Train();
        dropping.Train();
        using (Tape.NoGrad()) Assert.True(MaxDiff(plain.Forward(x), dropping.Forward(x)) > 1e-3f);
        Assert.Throws<UserInputException>(() => supernet.Extract(space.Largest(), dropPathRate: 1f));
    }

    [Theory]
    [InlineData(SamplerKind.Uniform)]
    [InlineData(SamplerKind.Spos)]
    [InlineData(SamplerKind.Sandwich)]
    [InlineData(SamplerKind.Hybrid)]
    public void EverySamplerDrivesTheSupernet(SamplerKind kind)
    {
        var space = new BurgerSpace("mini_residual");
        var supernet = space.CreateSupernet(ModelOptions.For(Tiny, 10));
        var sampler = new SubnetSampler(supernet, kind, seed: 3);
        var x = Images(2, batch: 2);
        for (int step = 0; step < 3; step++)
        {
            var picks = sampler.Picks(step);
            Assert.Equal(sampler.PassesPerStep(step), picks.Length);
            for (int pass = 0; pass < picks.Length; pass++)
            {
                sampler.BeforePass(step, pass);
                Assert.Equal(space.Validate(picks[pass]), supernet.Active);
                using (Tape.NoGrad()) Assert.Equal(10, supernet.Forward(x).Size(1));
            }
            if (kind == SamplerKind.Hybrid)
            {
                // The official hybrid step: the sampled cell at the smallest and at the largest macro choices.
                Assert.Equal(space.WithSizesOf(picks[0], space.Smallest()), picks[1]);
                Assert.Equal(space.WithSizesOf(picks[0], space.Largest()), picks[2]);
            }
        }
    }
}
