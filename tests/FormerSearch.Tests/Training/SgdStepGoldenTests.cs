using FormerSearch.Engine;
using FormerSearch.Models.Blocks;
using FormerSearch.Tests.Models;
using FormerSearch.Training;

namespace FormerSearch.Tests.Training;

/// <summary>
/// One training step of the trainer against PyTorch's: the official MetaFormer hybrid of <c>make_metaformer.py</c>, one
/// SGD step (lr 0.1, momentum 0.9, weight decay 1e-4 with timm's no-decay split) on the cross-entropy of labels [1, 3].
/// </summary>
public sealed class SgdStepGoldenTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-sgd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void One_trainer_step_moves_every_weight_as_torch_optim_sgd_does()
    {
        var golden = GoldenAssert.Load("metaformer");
        var model = MetaFormerGoldenTests.Build(golden, "gn.state.", NormKind.GroupNorm, [8, 32, 8, 16], 2f, 16);
        var before = model.StateDict(pytorchLayout: true);
        var options = new TrainingOptions
        {
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.9, WeightDecay = 1e-4,
            MaxSteps = 1, WarmupEpochs = 0, LabelSmoothing = 0, MinLearningRate = 0,
        };
        new Trainer(model, new TensorBatchSource(golden["x"], [1, 3], 2), null, options, _dir).Run();

        var after = model.StateDict(pytorchLayout: true);
        int moved = 0;
        foreach (var (key, expectedAfter) in golden.Where(kv => kv.Key.StartsWith("gn.sgd.state.", StringComparison.Ordinal)))
        {
            string name = key["gn.sgd.state.".Length..];
            float[] w0 = before[name].ToArray(), expected = expectedAfter.ToArray(), actual = after[name].ToArray();
            float scale = 0;
            for (int i = 0; i < w0.Length; i++) scale = MathF.Max(scale, MathF.Abs(expected[i] - w0[i]));
            for (int i = 0; i < w0.Length; i++)
                Assert.True(MathF.Abs((actual[i] - w0[i]) - (expected[i] - w0[i])) <= 1e-3f * scale + 1e-7f,
                    $"{name}[{i}]: torch moved it by {expected[i] - w0[i]}, the trainer by {actual[i] - w0[i]}.");
            if (scale > 0) moved++;
        }
        Assert.True(moved > 20, $"only {moved} tensors moved");
    }
}
