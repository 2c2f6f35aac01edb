using System.Diagnostics;
using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Distributed;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Optim;
using FormerSearch.Engine.Optim.Schedules;
using FormerSearch.Models;

namespace FormerSearch.Training;

/// <summary>
/// The training loop: AdamW or SGD with timm's no-decay split, cosine learning rate per step after a linear warm-up,
/// label smoothing or soft targets, optional gradient clipping and weight average, validation per epoch, checkpoints
/// that resume bit-exactly. Writes into its output directory: <c>checkpoint.safetensors</c> (every epoch and every
/// <see cref="TrainingOptions.CheckpointEvery"/> steps), <c>metrics.jsonl</c> (one line per epoch),
/// <c>model.safetensors</c> (official names and layouts) and <c>model_ema.safetensors</c> at the end. Each file is
/// written atomically, and an epoch's metrics line before the checkpoint that counts it, so a run killed at any moment
/// and resumed leaves the folder an uninterrupted run leaves (timings aside).
/// Data-parallel over the ranks of a communicator: each rank trains on its part of every global batch, the gradients are
/// summed (one allreduce per step) and scaled so that the step is the one-process step on the mean loss of the global
/// batch; rank 0 alone writes files and reports progress.
/// </summary>
public sealed class Trainer
{
    /// <summary>Parameter names (last dotted part) exempt from weight decay besides biases and rank-1 tensors, as timm's <c>no_weight_decay()</c>.</summary>
    private static readonly string[] NoDecayNames = ["pos_embed", "cls_token", "dist_token", "relative_position_bias_table"];

    private readonly VisionModel _model;
    private readonly IBatchSource _train;
    private readonly IBatchSource? _validation;
    private readonly TrainingOptions _options;
    private readonly string _outputDir;
    private readonly ITrainingProgress _progress;
    private readonly Optimizer _optimizer;
    private readonly ILrSchedule _schedule;
    private readonly ModelEma? _ema;
    private readonly int _totalSteps;
    private readonly IStepPasses? _passes;
    private readonly ICommunicator _world;
    private readonly GradientAllreduce? _allreduce;
    private readonly InPlaceDistillation _distillation = new();

    /// <summary>A trainer of <paramref name="model"/> on <paramref name="train"/>, validating on <paramref name="validation"/> when given, writing into <paramref name="outputDir"/> (created if missing).</summary>
    /// <exception cref="UserInputException">The options are invalid, or the training data has no batch.</exception>
    /// <param name="passes">Several passes per step (supernet samplers); null for one plain pass.</param>
    /// <param name="world">The ranks training together (each takes its part of <paramref name="train"/>'s batches); null for one process.</param>
    public Trainer(VisionModel model, IBatchSource train, IBatchSource? validation, TrainingOptions options, string outputDir,
        ITrainingProgress? progress = null, IStepPasses? passes = null, ICommunicator? world = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.BatchesPerEpoch < 1) throw new UserInputException("The training data yields no batch: it is empty, or smaller than one batch with drop-last.");
        _world = world ?? SingleProcess.Instance;
        _allreduce = _world.Size > 1 ? new GradientAllreduce(_world) : null;
        _model = model;
        _train = train.ForRank(_world.Rank, _world.Size);
        _validation = validation;
        _options = options;
        _outputDir = outputDir;
        _progress = IsLeader ? progress ?? SilentProgress.Instance : SilentProgress.Instance;
        _passes = passes;

        var groups = ParamGroups.WithNoDecay(model.NamedParameters(), options.WeightDecay, NoDecayNames);
        _optimizer = options.Optimizer == OptimizerKind.AdamW
            ? new AdamW(groups, options.LearningRate, weightDecay: options.WeightDecay)
            : new Sgd(groups, options.LearningRate, options.Momentum, weightDecay: options.WeightDecay, nesterov: options.Nesterov);
        _totalSteps = Math.Min(options.Epochs * train.BatchesPerEpoch, options.MaxSteps ?? int.MaxValue);
        _schedule = new CosineWithWarmup(options.LearningRate, _totalSteps, options.WarmupEpochs * train.BatchesPerEpoch,
            options.WarmupLearningRate, options.MinLearningRate);
        _ema = options.EmaDecay is { } decay ? new ModelEma(model, decay) : null;
    }

    /// <summary>Path of the resumable checkpoint.</summary>
    public string CheckpointPath => Path.Combine(_outputDir, "checkpoint.safetensors");

    /// <summary>File name of the final weights in the output directory. Default <c>model.safetensors</c>.</summary>
    public string WeightsFileName { get; init; } = "model.safetensors";

    /// <summary>The model card written into the final weights' metadata (classes, input, normalisation, data set); null writes none.</summary>
    public Inference.ModelCard? Card { get; init; }

    /// <summary>Path of the final weights (official names and layouts).</summary>
    public string ModelPath => Path.Combine(_outputDir, WeightsFileName);

    /// <summary>Path of the per-epoch metrics.</summary>
    public string MetricsPath => Path.Combine(_outputDir, "metrics.jsonl");

    /// <summary>Optimiser steps the run makes in all.</summary>
    public int TotalSteps => _totalSteps;

    /// <summary>Tests only: called with a file's name just before the run writes it (throw to stand for a kill there).</summary>
    internal Action<string>? BeforeWrite { get; init; }

    /// <summary>
    /// Refuses, before anything is written, to resume the checkpoint in the output directory if a run with other settings
    /// wrote it (reads its header alone); does nothing when there is none.
    /// </summary>
    /// <exception cref="UserInputException">The checkpoint is not a training checkpoint, or its run had other settings (the message names the first that differs).</exception>
    public void CheckResume()
    {
        if (File.Exists(CheckpointPath)) TrainingCheckpoint.CheckResumable(CheckpointPath, Fingerprint(), _world.Size);
    }

    /// <summary>Whether this process writes the files and progress (rank 0, or the only process).</summary>
    public bool IsLeader => _world.Rank == 0;

    /// <summary>
    /// Leaves the model trained either way, for studies that reuse finished runs: the final weights a finished run left at
    /// <see cref="ModelPath"/> are loaded into it, else it trains to the end (continuing the checkpoint if there is one).
    /// </summary>
    /// <exception cref="TrainingDivergedException">A loss was NaN or infinite; the checkpoint on disk is the last good one.</exception>
    /// <exception cref="UserInputException">Resuming a checkpoint of a run with other settings, or damaged weights or checkpoint.</exception>
    public void RunOrReuse()
    {
        if (File.Exists(ModelPath)) _model.LoadSafeTensors(ModelPath);
        else Run(resume: true);
    }

    /// <summary>
    /// Trains to the end, continuing from <see cref="CheckpointPath"/> when <paramref name="resume"/> is set and it exists,
    /// and returns the metrics of the epochs this call finished.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A loss was NaN or infinite; the checkpoint on disk is the last good one.</exception>
    /// <exception cref="UserInputException">Resuming a checkpoint of a run with other settings, or a damaged checkpoint.</exception>
    public IReadOnlyList<EpochMetrics> Run(bool resume = false)
    {
        if (IsLeader) Directory.CreateDirectory(_outputDir);
        var position = TrainingPosition.Start;
        if (resume && File.Exists(CheckpointPath))
        {
            // Every rank reads the checkpoint (a shared or copied output directory).
            position = TrainingCheckpoint.Load(CheckpointPath, _model, _optimizer, _ema, Fingerprint(), _world.Size);
            position = position with { MetricsLines = position.MetricsLines ?? LinesLogged(position) };
            if (IsLeader) MetricsLog.KeepLines(MetricsPath, position.MetricsLines.Value);
        }
        else
        {
            _allreduce?.BroadcastFromRankZero(_model.StateDict().Values.Concat(_ema?.State.Values ?? Enumerable.Empty<Tensor>()));
            if (IsLeader) File.Delete(MetricsPath);
        }
        // Temporaries of writers killed in an earlier run here; rank 0 alone writes, and alone can tell its own process ids.
        if (IsLeader) AtomicFile.RemoveStale(_outputDir);

        var finished = new List<EpochMetrics>();
        _model.Train();
        while (position.Step < _totalSteps && position.Epoch < _options.Epochs)
        {
            position = RunEpoch(position, out var metrics);
            finished.Add(metrics);
        }
        if (IsLeader) SaveFinalWeights();
        return finished;
    }

    /// <summary>Trains the rest of <paramref name="position"/>'s epoch, or as much of it as the step budget allows, then validates and logs it.</summary>
    private TrainingPosition RunEpoch(TrainingPosition position, out EpochMetrics metrics)
    {
        int epoch = position.Epoch, batch = position.Batch, step = position.Step;
        double lossSum = position.EpochLossSum;
        long hits = position.EpochHits, images = position.EpochImages, imagesHere = 0;
        double lr = 0;
        _progress.EpochStarted(epoch, _options.Epochs, batch, _train.BatchesPerEpoch);
        var clock = Stopwatch.StartNew();
        foreach (var data in _train.Epoch(epoch, batch))
        {
            if (step >= _totalSteps) break;
            lr = _schedule.LearningRate(step);
            _optimizer.SetLearningRate(lr);
            var (loss, batchHits, batchImages) = Step(data, step, epoch);
            step++;
            batch++;
            lossSum += loss;
            hits += batchHits;
            images += batchImages;
            imagesHere += batchImages;
            _progress.StepCompleted(batch - 1, lossSum / batch, (double)hits / images, lr, imagesHere / clock.Elapsed.TotalSeconds);
            if (_options.CheckpointEvery is { } every && step % every == 0 && batch < _train.BatchesPerEpoch && step < _totalSteps)
                Checkpoint(new TrainingPosition(epoch, batch, step, lossSum, hits, images, position.MetricsLines));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        bool partial = batch < _train.BatchesPerEpoch; // the step budget ended inside the epoch
        var validation = _validation is null || !IsLeader ? null : Evaluator.Evaluate(_model, _validation);
        metrics = new EpochMetrics(epoch + 1, step, batch == 0 ? 0 : lossSum / batch, images == 0 ? 0 : (double)hits / images, lr,
            seconds > 0 ? imagesHere / seconds : 0, seconds, validation) { WorldSize = _world.Size };
        if (IsLeader)
        {
            BeforeWrite?.Invoke(Path.GetFileName(MetricsPath));
            MetricsLog.Append(MetricsPath, metrics);
        }
        int lines = (position.MetricsLines ?? 0) + 1;
        // A budget that ends inside an epoch keeps the place in the checkpoint (the run is finished, but the file says where it stood).
        var next = partial ? new TrainingPosition(epoch, batch, step, lossSum, hits, images, lines) : new TrainingPosition(epoch + 1, 0, step, 0, 0, 0, lines);
        Checkpoint(next);
        _progress.EpochCompleted(metrics);
        return next;
    }

    /// <summary>One optimiser step; the loss and hits reported are the first pass's (with in-place distillation, the teacher's), over the global batch.</summary>
    private (double Loss, int Hits, int Images) Step(TrainingBatch data, int step, int epoch)
    {
        _optimizer.ZeroGrad();
        if (_model.Randomness is { } randomness) randomness.BatchPart = data.Part;
        int passes = _passes?.PassesPerStep(step) ?? 1;
        int rows = data.Labels.Length;
        (float Loss, int Hits) first = default;
        float nonFinite = 0; // the first non-finite loss of this rank, when there is one
        Tensor? teacher = null; // the first pass's probabilities, when a later pass learns from them
        using var stepScope = TensorScope.Enter();
        var shared = passes > 1 ? _model as ISharedStem : null;
        Tensor? stem = null;
        using var stemGraph = shared is null ? null : RecordSharedStem(shared, data.Images, out stem);
        for (int pass = 0; pass < passes; pass++)
        {
            _passes?.BeforePass(step, pass);
            using var _ = TensorScope.Enter();
            var logits = stem is null ? _model.Forward(data.Images) : shared!.ForwardAfterStem(stem);
            var loss = teacher is not null && _passes!.LearnsFromFirstPass(step, pass) ? InPlaceDistillation.Loss(logits, teacher)
                : data.SoftTargets is { } soft ? Functional.SoftTargetCrossEntropy(logits, soft)
                : Functional.CrossEntropy(logits, data.Labels, _options.LabelSmoothing);
            if (pass == 0 && AnyLearnsFromFirstPass(step, passes)) teacher = _distillation.Keep(logits);
            float value = loss.Item();
            if (!float.IsFinite(value))
            {
                // A rank stopping alone would leave the others waiting in the allreduce: they all stop after it.
                if (_allreduce is null) throw new TrainingDivergedException(step, epoch, value);
                if (nonFinite == 0) nonFinite = value;
            }
            if (pass == 0) first = (value, Accuracy.Hits(logits.AsSpan(), data.Labels, 1));
            // Ranks backpropagate their part's loss sum; the summed gradient is divided by the global batch below.
            if (_allreduce is null) loss.Backward();
            else (loss * rows).Backward();
        }
        // The stem's graph carries the passes' summed gradient back.
        stemGraph?.Backward();
        if (_allreduce is not null)
        {
            Span<float> totals = [first.Loss * rows, first.Hits, rows, nonFinite == 0 ? 0 : 1];
            _allreduce.Reduce(_model.Parameters(), totals, sums => 1f / sums[2]);
            if (totals[3] > 0) throw new TrainingDivergedException(step, epoch, nonFinite == 0 ? float.NaN : nonFinite);
            first = (totals[0] / totals[2], (int)totals[1]);
            rows = (int)totals[2];
        }
        if (_options.ClipGradNorm is { } maxNorm) GradClip.ClipGradNorm(_model.Parameters(), maxNorm);
        _optimizer.Step();
        _ema?.Update();
        return (first.Loss, first.Hits, rows);
    }

    /// <summary>
    /// The shared stem's output for a step's passes, recorded once (its batch norms see the batch once): the passes start
    /// from a leaf view of it whose gradient — the output's own, allocated here in the step's scope so it outlives each
    /// pass's scope — sums what every pass sends back, while the stem's graph is set aside until they are done.
    /// </summary>
    private static RecordedGraph RecordSharedStem(ISharedStem shared, Tensor images, out Tensor leaf)
    {
        var output = shared.ForwardStem(images);
        var graph = Tape.SetAside();
        leaf = output.Detach().CollectGradientHere();
        return graph;
    }

    private bool AnyLearnsFromFirstPass(int step, int passes)
    {
        for (int pass = 1; pass < passes; pass++)
        {
            if (_passes!.LearnsFromFirstPass(step, pass)) return true;
        }
        return false;
    }

    private void Checkpoint(TrainingPosition position)
    {
        if (!IsLeader) return;
        BeforeWrite?.Invoke(Path.GetFileName(CheckpointPath));
        TrainingCheckpoint.Save(CheckpointPath, _model, _optimizer, _ema, position, Fingerprint(), _world.Size);
    }

    /// <summary>
    /// Lines of <c>metrics.jsonl</c> a checkpoint without the count stands for: one per finished epoch, and one for an epoch
    /// the step budget ended inside (logged although unfinished; only the last checkpoint reaches the budget).
    /// </summary>
    private int LinesLogged(TrainingPosition position) => position.Epoch + (position.Batch > 0 && position.Step >= _totalSteps ? 1 : 0);

    private void SaveFinalWeights()
    {
        SaveWeights(ModelPath);
        if (_ema is null) return;
        // The average is kept in the model's own layout; the model converts it to the official one on save.
        var live = _model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        _model.LoadStateDict(_ema.State);
        SaveWeights(Path.Combine(_outputDir, Path.GetFileNameWithoutExtension(WeightsFileName) + "_ema.safetensors"));
        _model.LoadStateDict(live);
    }

    private void SaveWeights(string path)
    {
        BeforeWrite?.Invoke(Path.GetFileName(path));
        if (Card is { } card) card.Save(_model, path);
        else _model.SaveSafeTensors(path);
    }

    /// <summary>What must match for a checkpoint to be resumed by this run.</summary>
    private string Fingerprint() => string.Create(CultureInfo.InvariantCulture,
        $"{_model.GetType().Name} {_model.ParameterCount()} params, {_model.Input}, {_model.NumClasses} classes; {_train.Count} images in {_train.BatchesPerEpoch} batches; "
        + $"{_options with { CheckpointEvery = null }}");
}
