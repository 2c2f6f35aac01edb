using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Tests.Training;
using FormerSearch.Training;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// In-place distillation through the trainer: one plain SGD step (so the weights move by −lr × the summed gradient) equals
/// the step written out by hand — with distillation, the largest subnet on the labels and the others on its soft predictions;
/// without, every subnet on the labels. The two steps differ only in the loss of the non-largest subnets.
/// </summary>
public sealed class DistillationStepTests : IDisposable
{
    private const float Rate = 0.1f;
    private static readonly ModelOptions Tiny = new() { InChannels = 1, ImageHeight = 12, ImageWidth = 12, NumClasses = 4, Seed = 3 };
    private readonly string _dir = Directory.CreateTempSubdirectory("former-distill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("autoformer", SamplerKind.Sandwich, false)]
    [InlineData("autoformer", SamplerKind.Sandwich, true)]
    [InlineData("burger", SamplerKind.Hybrid, false)]
    [InlineData("burger", SamplerKind.Hybrid, true)]
    public void A_trainer_step_moves_the_weights_by_the_gradient_of_the_written_out_losses(string spaceName, SamplerKind kind, bool distill)
    {
        var space = SearchSpaces.Create(spaceName, "mini");
        var (images, labels) = TensorBatchSource.Random(8, 12, 12, 1, 4, seed: 9);
        var options = new TrainingOptions
        {
            Optimizer = OptimizerKind.Sgd, LearningRate = Rate, Momentum = 0, WeightDecay = 0, MaxSteps = 1, WarmupEpochs = 0, LabelSmoothing = 0, MinLearningRate = 0,
        };
        var trained = space.CreateSupernet(Tiny);
        var before = trained.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        var sampler = new SubnetSampler(trained, kind, 5, distill);
        new Trainer(trained, new TensorBatchSource(images, labels, 8), null, options, _dir, passes: sampler).Run();

        var expected = HandWrittenGradients(space.CreateSupernet(Tiny), sampler.Picks(0), images, labels, distill);
        int moved = 0;
        foreach (var (name, parameter) in trained.NamedParameters())
        {
            float[] w0 = before[name], w1 = parameter.Value.ToArray();
            float[] g = expected.TryGetValue(name, out var grad) ? grad : new float[w0.Length];
            for (int i = 0; i < w0.Length; i++)
                Assert.True(Math.Abs((w0[i] - w1[i]) - Rate * g[i]) <= 1e-5f + 1e-4f * Math.Abs(Rate * g[i]), $"{name}[{i}]: moved {w0[i] - w1[i]}, expected {Rate * g[i]}");
            if (g.Any(v => v != 0)) moved++;
        }
        Assert.True(moved > 10, $"only {moved} parameters had a gradient");
    }

    [Fact]
    public void With_distillation_the_largest_subnet_goes_first_and_the_others_learn_from_it()
    {
        var space = SearchSpaces.Create("autoformer", "mini");
        var supernet = space.CreateSupernet(Tiny);
        var plain = new SubnetSampler(supernet, SamplerKind.Sandwich, 5);
        var distilled = new SubnetSampler(supernet, SamplerKind.Sandwich, 5, distill: true);
        for (int step = 0; step < 5; step++)
        {
            var p = plain.Picks(step);
            Assert.Equal([p[2], p[0], p[1]], distilled.Picks(step));
            Assert.Equal(space.Largest(), distilled.Picks(step)[0]);
            Assert.Equal([false, false, false], Enumerable.Range(0, 3).Select(pass => plain.LearnsFromFirstPass(step, pass)));
            Assert.Equal([false, true, true], Enumerable.Range(0, 3).Select(pass => distilled.LearnsFromFirstPass(step, pass)));
        }
    }

    [Theory]
    [InlineData(SamplerKind.Uniform)]
    [InlineData(SamplerKind.Spos)]
    public void Distillation_is_refused_with_a_sampler_that_has_no_largest_subnet_in_a_step(SamplerKind kind)
    {
        var supernet = SearchSpaces.Create("autoformer", "mini").CreateSupernet(Tiny);
        var e = Assert.Throws<UserInputException>(() => new SubnetSampler(supernet, kind, 5, distill: true));
        Assert.Contains("--distill", e.Message);
        Assert.Contains(FormerSearch.Search.KindNames.Of(kind), e.Message);
        Assert.Equal(1, new SubnetSampler(supernet, kind, 5).PassesPerStep(0));
    }

    // The step by hand: each pick activated in order, the gradients of every pass summed; the first pass's (the largest
    // subnet's, with distillation) detached softmax is the target of the later ones.
    private static Dictionary<string, float[]> HandWrittenGradients(Supernet supernet, Architecture[] picks, Tensor images, int[] labels, bool distill)
    {
        supernet.Train();
        float[]? teacher = null;
        for (int pass = 0; pass < picks.Length; pass++)
        {
            supernet.Activate(picks[pass]);
            using var _ = TensorScope.Enter();
            var logits = supernet.Forward(images);
            var loss = teacher is null ? Functional.CrossEntropy(logits, labels) : Functional.SoftTargetCrossEntropy(logits, Tensor.FromArray(teacher, logits.Shape[0], logits.Shape[1]));
            if (distill && pass == 0) teacher = Softmax(logits.ToArray(), logits.Shape[1]);
            loss.Backward();
        }
        return supernet.NamedParameters().Where(p => p.Parameter.Grad is not null).ToDictionary(p => p.Name, p => p.Parameter.Grad!.ToArray());
    }

    private static float[] Softmax(float[] logits, int classes)
    {
        var p = new float[logits.Length];
        for (int row = 0; row < logits.Length; row += classes)
        {
            float max = logits.AsSpan(row, classes).ToArray().Max();
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.Exp(logits[row + k] - max);
            for (int k = 0; k < classes; k++) p[row + k] = (float)(Math.Exp(logits[row + k] - max) / sum);
        }
        return p;
    }
}
