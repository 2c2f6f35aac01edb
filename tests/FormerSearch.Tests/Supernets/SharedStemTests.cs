using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Supernets.Burger;
using FormerSearch.Tests.Training;
using FormerSearch.Training;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// The trainer runs a BurgerFormer supernet's fixed stem once per multi-pass step (<see cref="ISharedStem"/>): the step
/// must move every weight as three full forward/backward passes would.
/// </summary>
public sealed class SharedStemTests : IDisposable
{
    private static readonly ModelOptions Small = new() { InChannels = 1, ImageHeight = 28, ImageWidth = 28, NumClasses = 4, Seed = 3 };
    private readonly string _dir = Directory.CreateTempSubdirectory("former-shared-stem-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_stem_and_the_rest_compose_to_the_whole_forward()
    {
        var supernet = (BurgerSupernet)SearchSpaces.Create("burger", "mini").CreateSupernet(Small);
        var (images, _) = TensorBatchSource.Random(3, 28, 28, 1, 4, seed: 2);
        supernet.Eval();
        using var scope = TensorScope.Enter();
        var whole = supernet.Forward(images).ToArray();
        var split = supernet.ForwardAfterStem(supernet.ForwardStem(images)).ToArray();
        Assert.Equal(whole, split);
    }

    [Fact]
    public void Eval_mode_reuses_the_stem_map_of_the_same_images_until_the_stem_changes()
    {
        var space = SearchSpaces.Create("burger", "mini");
        var supernet = (BurgerSupernet)space.CreateSupernet(Small);
        var (images, _) = TensorBatchSource.Random(5, 28, 28, 1, 4, seed: 2);
        supernet.Eval();
        float[] Logits(Architecture arch)
        {
            supernet.Activate(arch);
            using var noGrad = Engine.Autograd.Tape.NoGrad();
            using var scope = TensorScope.Enter();
            return supernet.Forward(images).ToArray();
        }

        var first = Logits(space.Largest());
        var smallest = Logits(space.Smallest());
        Assert.Equal(1, supernet.StemCache.Hits);
        Assert.Equal(first, Logits(space.Largest()));
        Assert.Equal(2, supernet.StemCache.Hits);

        // A changed stem weight (a training step) must not see the old map: the output is the fresh one.
        var weight = supernet.NamedParameters().First(p => p.Name == "patch_embed.conv2.conv.weight").Parameter.Value;
        weight.AsSpan()[0] += 0.5f;
        var changed = Logits(space.Smallest());
        Assert.Equal(2, supernet.StemCache.Hits);
        Assert.NotEqual(smallest, changed);
        var fresh = (BurgerSupernet)space.CreateSupernet(Small);
        fresh.LoadStateDict(supernet.StateDict());
        fresh.Eval();
        fresh.Activate(space.Smallest());
        using (Engine.Autograd.Tape.NoGrad())
        using (TensorScope.Enter())
            Assert.Equal(fresh.Forward(images).ToArray(), changed);
    }

    [Fact]
    public void Recalibrations_reuse_the_stem_s_passes_with_the_statistics_computing_them_gives()
    {
        var space = SearchSpaces.Create("burger", "mini");
        var (images, labels) = TensorBatchSource.Random(24, 28, 28, 1, 4, seed: 6);
        var calibration = new TensorBatchSource(images, labels, 8);
        var supernet = (BurgerSupernet)space.CreateSupernet(Small);
        var initial = State(supernet);
        (Dictionary<string, float[]> State, float[] Logits) Recalibrated(BurgerSupernet model, Architecture arch)
        {
            model.Activate(arch);
            Assert.True(BatchNormCalibration.Recalibrate(model, calibration, 3));
            model.Eval();
            using var noGrad = Engine.Autograd.Tape.NoGrad();
            using var scope = TensorScope.Enter();
            return (State(model), model.Forward(images).ToArray());
        }

        var largest = Recalibrated(supernet, space.Largest());
        Assert.Equal(0, supernet.StemCache.CalibrationHits);
        // The second candidate's stem passes come from the cache: its statistics (the stem's among them) and logits must
        // be those of a supernet that computes them, made with the same weights.
        var smallest = Recalibrated(supernet, space.Smallest());
        Assert.Equal(3, supernet.StemCache.CalibrationHits);
        var computing = (BurgerSupernet)space.CreateSupernet(Small);
        Assert.Equal(initial, State(computing));
        var expected = Recalibrated(computing, space.Smallest());
        Assert.Equal(0, computing.StemCache.CalibrationHits);
        Assert.Equal(expected.State, smallest.State);
        Assert.Equal(expected.Logits, smallest.Logits);
        Assert.Contains(smallest.State, e => e.Key.StartsWith("patch_embed.", StringComparison.Ordinal) && e.Key.EndsWith("running_var", StringComparison.Ordinal)
            && !e.Value.SequenceEqual(initial[e.Key]));
        var again = Recalibrated(supernet, space.Largest());
        Assert.Equal(largest.State, again.State);
        Assert.Equal(largest.Logits, again.Logits);
        Assert.Equal(6, supernet.StemCache.CalibrationHits);

        // A changed stem weight (a training step) makes every pass new again; the passes with the new weight are then reused.
        supernet.NamedParameters().First(p => p.Name == "patch_embed.conv2.conv.weight").Parameter.Value.AsSpan()[0] += 0.5f;
        var changed = Recalibrated(supernet, space.Smallest());
        Assert.Equal(6, supernet.StemCache.CalibrationHits);
        Assert.NotEqual(smallest.State["patch_embed.conv2.bn.running_mean"], changed.State["patch_embed.conv2.bn.running_mean"]);
        var changedAgain = Recalibrated(supernet, space.Smallest());
        Assert.Equal(9, supernet.StemCache.CalibrationHits);
        Assert.Equal(changed.State, changedAgain.State);
        Assert.Equal(changed.Logits, changedAgain.Logits);
    }

    private static Dictionary<string, float[]> State(BurgerSupernet model) => model.StateDict().ToDictionary(e => e.Key, e => e.Value.ToArray());

    [Fact]
    public void A_step_s_stem_sees_the_batch_once()
    {
        var space = SearchSpaces.Create("burger", "mini");
        var (images, labels) = TensorBatchSource.Random(8, 28, 28, 1, 4, seed: 4);
        var options = new TrainingOptions { MaxSteps = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, WarmupEpochs = 0 };
        var trained = (BurgerSupernet)space.CreateSupernet(Small);
        new Trainer(trained, new TensorBatchSource(images, labels, 8), null, options, _dir, null, new SubnetSampler(trained, SamplerKind.Hybrid, 5))
        {
            WeightsFileName = SupernetDirectory.WeightsFile,
        }.Run();

        // One training-mode pass of the stem alone over the same images moves its batch norms' statistics the same.
        var reference = (BurgerSupernet)space.CreateSupernet(Small);
        reference.Train();
        using (TensorScope.Enter()) reference.ForwardStem(images);
        var expected = reference.NamedBuffers().Where(b => b.Name.StartsWith("patch_embed.", StringComparison.Ordinal)).ToList();
        Assert.Contains(expected, b => b.Name.EndsWith("running_mean", StringComparison.Ordinal) && b.Buffer.ToArray().Any(v => v != 0));
        var actual = trained.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer.ToArray());
        foreach (var (name, buffer) in expected) Assert.Equal(buffer.ToArray(), actual[name]);
    }

    [Theory]
    [InlineData(SamplerKind.Hybrid)]
    [InlineData(SamplerKind.Sandwich)]
    public void A_step_moves_the_weights_as_three_full_passes_do(SamplerKind sampler)
    {
        const double lr = 10.0;
        var space = SearchSpaces.Create("burger", "mini");
        var (images, labels) = TensorBatchSource.Random(8, 28, 28, 1, 4, seed: 9);
        var options = new TrainingOptions
        {
            MaxSteps = 1, Optimizer = OptimizerKind.Sgd, LearningRate = lr, MinLearningRate = lr, WarmupEpochs = 0,
            Momentum = 0, WeightDecay = 0, LabelSmoothing = 0,
        };

        var trained = space.CreateSupernet(Small);
        var before = trained.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        new Trainer(trained, new TensorBatchSource(images, labels, 8), null, options, _dir, null, new SubnetSampler(trained, sampler, 5))
        {
            WeightsFileName = SupernetDirectory.WeightsFile,
        }.Run();

        // The reference: each pass runs the whole supernet, gradients summed, one plain SGD step.
        var reference = space.CreateSupernet(Small);
        reference.Train();
        reference.ZeroGrad();
        foreach (var arch in new SubnetSampler(reference, sampler, 5).Picks(0))
        {
            reference.Activate(arch);
            using var scope = TensorScope.Enter();
            Functional.CrossEntropy(reference.Forward(images), labels).Backward();
        }
        var gradients = reference.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.Grad?.ToArray());

        double largest = 0;
        var deltas = new List<(string Name, float[] Expected, float[] Actual)>();
        foreach (var (name, parameter) in trained.NamedParameters())
        {
            var after = parameter.Value.ToArray();
            var expected = gradients[name] is { } g ? g.Select(v => (float)(-lr * v)).ToArray() : new float[after.Length];
            var actual = after.Select((v, i) => v - before[name][i]).ToArray();
            deltas.Add((name, expected, actual));
            largest = Math.Max(largest, expected.Max(Math.Abs));
        }
        Assert.True(largest > 1e-3, "the step must move the weights");
        Assert.Contains(deltas, d => d.Name.StartsWith("patch_embed.conv2", StringComparison.Ordinal) && d.Expected.Any(v => v != 0));
        foreach (var (name, expected, actual) in deltas)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                if (Math.Abs(expected[i] - actual[i]) > 1e-4 * largest + 1e-6)
                    Assert.Fail($"{name}[{i}]: moved {actual[i]:G6}, three full passes move it {expected[i]:G6} (largest move {largest:G4}).");
            }
        }
    }
}
