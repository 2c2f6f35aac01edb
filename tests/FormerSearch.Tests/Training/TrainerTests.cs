using FormerSearch.Engine;
using FormerSearch.Engine.Distributed;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Training;

namespace FormerSearch.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private static readonly ModelInput Size = new(3, 32, 32);
    private readonly string _dir = Directory.CreateTempSubdirectory("former-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static VisionModel TinyModel(float dropPath = 0f) =>
        AutoFormerVariants.Entry("tiny", new AutoFormerConfig { EmbedDim = 24, NumHeads = [2, 1], MlpRatios = [2f, 1.5f], HeadDim = 8, PatchSize = 8 })
            .Create(ModelOptions.For(Size, 4) with { DropPathRate = dropPath, Seed = 7 });

    private string Dir(string name) => Path.Combine(_dir, name);

    [Fact]
    public void One_plain_sgd_step_on_the_whole_data_set_is_w_minus_lr_times_the_gradient()
    {
        var (images, labels) = TensorBatchSource.Random(6, 32, 32, 3, 4, seed: 1);
        var model = TinyModel();
        var start = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());

        // The expected step, by hand: the same model and data, one backward, w − lr·g.
        var reference = TinyModel();
        using (TensorScope.Enter())
            Functional.CrossEntropy(reference.Forward(images), labels).Backward();
        var expected = reference.NamedParameters().ToDictionary(p => p.Name, p =>
        {
            var w = p.Parameter.Value.ToArray();
            var g = p.Parameter.Value.Grad!.ToArray();
            for (int i = 0; i < w.Length; i++) w[i] -= 0.1f * g[i];
            return w;
        });

        var options = new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0, WeightDecay = 0, MaxSteps = 1, WarmupEpochs = 0, LabelSmoothing = 0, MinLearningRate = 0 };
        new Trainer(model, new TensorBatchSource(images, labels, 6), null, options, Dir("sgd")).Run();

        foreach (var (name, p) in model.NamedParameters())
        {
            var actual = p.Value.ToArray();
            for (int i = 0; i < actual.Length; i++)
                Assert.True(MathF.Abs(actual[i] - expected[name][i]) <= 1e-6f * (1 + MathF.Abs(expected[name][i])), $"{name}[{i}]: {actual[i]} vs {expected[name][i]}");
            Assert.NotEqual(start[name].ToArray(), actual); // the step moved every parameter with a gradient
        }
    }

    [Fact]
    public void A_run_killed_after_a_checkpoint_resumes_to_the_same_weights_bit_for_bit()
    {
        var (images, labels) = TensorBatchSource.Random(24, 32, 32, 3, 4, seed: 2);
        var options = new TrainingOptions { Epochs = 3, CheckpointEvery = 2, EmaDecay = 0.9, ClipGradNorm = 1.0 };

        new Trainer(TinyModel(0.2f), new TensorBatchSource(images, labels, 4), new TensorBatchSource(images, labels, 8), options, Dir("whole")).Run();

        var killed = new Trainer(TinyModel(0.2f), new TensorBatchSource(images, labels, 4), new TensorBatchSource(images, labels, 8), options, Dir("killed"), new KillAt(epoch: 1, batch: 3));
        Assert.Throws<KillAt.Killed>(() => killed.Run());
        new Trainer(TinyModel(0.2f), new TensorBatchSource(images, labels, 4), new TensorBatchSource(images, labels, 8), options, Dir("killed")).Run(resume: true);

        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir("whole"), "model.safetensors")), File.ReadAllBytes(Path.Combine(Dir("killed"), "model.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir("whole"), "model_ema.safetensors")), File.ReadAllBytes(Path.Combine(Dir("killed"), "model_ema.safetensors")));
        var whole = File.ReadAllLines(Path.Combine(Dir("whole"), "metrics.jsonl"));
        var resumed = File.ReadAllLines(Path.Combine(Dir("killed"), "metrics.jsonl"));
        Assert.Equal(3, whole.Length);
        Assert.Equal(3, resumed.Length);
        for (int i = 0; i < 3; i++)
            foreach (var key in new[] { "epoch", "step", "train_loss", "train_top1", "lr", "val_top1", "val_loss" })
                Assert.Equal(Field(whole[i], key), Field(resumed[i], key));
    }

    private static string Field(string jsonLine, string key)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(jsonLine);
        return doc.RootElement.GetProperty(key).GetRawText();
    }

    [Fact]
    public void A_non_finite_loss_stops_with_the_step_and_leaves_the_last_checkpoint()
    {
        var (images, labels) = TensorBatchSource.Random(16, 32, 32, 3, 4, seed: 3);
        var poisoned = new TensorBatchSource(images, labels, 4, (epoch, i, batch) =>
        {
            if (epoch == 1 && i == 2) batch.Images.AsSpan()[0] = float.NaN;
            return batch;
        });
        var trainer = new Trainer(TinyModel(), poisoned, null, new TrainingOptions { Epochs = 2, CheckpointEvery = 1 }, Dir("nan"));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Equal(6, e.Step);
        Assert.Contains("step 6", e.Message);

        var fresh = TinyModel();
        var check = new Trainer(fresh, new TensorBatchSource(images, labels, 4), null, new TrainingOptions { Epochs = 2, CheckpointEvery = 1 }, Dir("nan"));
        check.Run(resume: true); // the checkpoint at step 6 loads and training finishes
        Assert.True(File.Exists(check.ModelPath));
    }

    [Fact]
    public void Two_in_process_replicas_train_as_one_process_on_the_whole_batch()
    {
        var (images, labels) = TensorBatchSource.Random(16, 32, 32, 3, 4, seed: 5);
        var options = new TrainingOptions { Epochs = 2, WarmupEpochs = 0 };
        var single = TinyModel();
        new Trainer(single, new TensorBatchSource(images, labels, 8), null, options, Dir("single")).Run();
        var replicas = Replicas.Run(2, world =>
        {
            var model = TinyModel();
            new Trainer(model, new TensorBatchSource(images, labels, 8), null, options, Dir("replicas"), world: world).Run();
            return model;
        });

        var expected = single.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        foreach (var (name, p) in replicas[0].NamedParameters())
        {
            var w = p.Value.ToArray();
            for (int i = 0; i < w.Length; i++)
                Assert.True(Math.Abs(w[i] - expected[name][i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[name][i])), $"{name}[{i}]: {w[i]} with 2 replicas, {expected[name][i]} in one process");
            Assert.Equal(w, replicas[1].NamedParameters().Single(q => q.Name == name).Parameter.Value.ToArray());
        }
        Assert.True(File.Exists(Path.Combine(Dir("replicas"), "model.safetensors")));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(Dir("replicas"), "metrics.jsonl")).Length);
    }

    [Fact]
    public void Resuming_with_other_settings_is_refused_by_name()
    {
        var (images, labels) = TensorBatchSource.Random(8, 32, 32, 3, 4, seed: 4);
        new Trainer(TinyModel(), new TensorBatchSource(images, labels, 4), null, new TrainingOptions { Epochs = 1 }, Dir("a")).Run();
        var other = new Trainer(TinyModel(), new TensorBatchSource(images, labels, 4), null, new TrainingOptions { Epochs = 1, LearningRate = 0.5 }, Dir("a"));
        var e = Assert.Throws<UserInputException>(() => other.Run(resume: true));
        Assert.Contains("checkpoint.safetensors", e.Message);
    }

    [Fact]
    public void Training_learns_a_separable_problem()
    {
        var (images, labels) = TensorBatchSource.Random(64, 32, 32, 3, 4, seed: 5);
        var model = TinyModel();
        var source = new TensorBatchSource(images, labels, 16);
        double before = Evaluator.Evaluate(model, source).Loss;
        var metrics = new Trainer(model, source, source, new TrainingOptions { Epochs = 15, LearningRate = 3e-3, WarmupEpochs = 0, LabelSmoothing = 0 }, Dir("learn")).Run();
        Assert.Equal(15, metrics.Count);
        Assert.True(metrics[^1].Validation!.Loss < 0.5 * before, $"loss {before} → {metrics[^1].Validation!.Loss}");
    }

    [Fact]
    public void Passes_of_one_step_accumulate_their_gradients_into_one_update()
    {
        var (images, labels) = TensorBatchSource.Random(4, 32, 32, 3, 4, seed: 6);
        var options = new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0, WeightDecay = 0, MaxSteps = 1, WarmupEpochs = 0, LabelSmoothing = 0, MinLearningRate = 0 };
        var once = TinyModel();
        var twice = TinyModel();
        var start = once.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        new Trainer(once, new TensorBatchSource(images, labels, 4), null, options, Dir("once")).Run();
        var passes = new CountingPasses(2);
        new Trainer(twice, new TensorBatchSource(images, labels, 4), null, options, Dir("twice"), passes: passes).Run();
        Assert.Equal([(0, 0), (0, 1)], passes.Seen);
        foreach (var (name, p) in once.NamedParameters())
        {
            float[] w0 = start[name], a = p.Value.ToArray(), b = twice.NamedParameters().First(q => q.Name == name).Parameter.Value.ToArray();
            for (int i = 0; i < a.Length; i++)
                Assert.True(MathF.Abs(2 * (a[i] - w0[i]) - (b[i] - w0[i])) <= 1e-5f * (1 + MathF.Abs(w0[i])), $"{name}[{i}]");
        }
    }

    private sealed class CountingPasses(int passes) : IStepPasses
    {
        public List<(int Step, int Pass)> Seen { get; } = [];

        public int PassesPerStep(int step) => passes;

        public void BeforePass(int step, int pass) => Seen.Add((step, pass));
    }

    [Fact]
    public void Top_k_hits_count_rows_whose_label_ranks_within_k()
    {
        float[] logits = [0.1f, 0.9f, 0.5f, /**/ 0.7f, 0.2f, 0.6f];
        Assert.Equal(1, Accuracy.Hits(logits, [1, 2], 1));
        Assert.Equal(2, Accuracy.Hits(logits, [1, 2], 2));
        Assert.Equal(0, Accuracy.Hits(logits, [0, 1], 2));
    }

    internal sealed class KillAt(int epoch, int batch) : ITrainingProgress
    {
        private int _epoch;

        public sealed class Killed : Exception;

        public void EpochStarted(int e, int epochs, int startBatch, int batches) => _epoch = e;

        public void StepCompleted(int b, double loss, double top1, double learningRate, double imagesPerSecond)
        {
            if (_epoch == epoch && b == batch) throw new Killed();
        }

        public void EpochCompleted(EpochMetrics metrics) { }
    }
}
