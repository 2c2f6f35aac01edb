using System.CommandLine;
using System.Globalization;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Engine.Distributed;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// The options of a training run shared by <c>former train</c> and <c>former supernet train</c>. Every default comes from
/// <see cref="TrainingOptions.For"/> of the chosen optimiser (AdamW: DeiT's recipe scaled down; SGD: the classic one), the
/// data set's <see cref="Augmentation.Default(ImageDataset)"/> and <see cref="ModelOptions"/>; the help texts quote them.
/// </summary>
public sealed class TrainingRecipeOptions
{
    private static readonly TrainingOptions AdamW = TrainingOptions.For(OptimizerKind.AdamW), Sgd = TrainingOptions.For(OptimizerKind.Sgd);

    private readonly Option<int?> _epochs = new("--epochs") { Description = $"Epochs to train (default {AdamW.Epochs}, or as many as --max-steps needs)." };
    private readonly Option<int?> _maxSteps = new("--max-steps") { Description = "Stop after this many optimiser steps." };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 128 };
    private readonly Option<OptimizerKind?> _optimizer = KindOption.Create("--optimizer", "Optimiser", AdamW.Optimizer);
    private readonly Option<double?> _lr = new("--lr") { Description = $"Peak learning rate ({Default(o => o.LearningRate)})." };
    private readonly Option<double?> _minLr = new("--min-lr") { Description = $"Learning rate at the end of the cosine ({Default(o => o.MinLearningRate)})." };
    private readonly Option<double?> _momentum = new("--momentum") { Description = $"SGD momentum ({Default(o => o.Momentum)})." };
    private readonly Option<bool> _nesterov = new("--nesterov") { Description = "SGD with Nesterov momentum." };
    private readonly Option<double?> _weightDecay = new("--weight-decay") { Description = $"Weight decay, not on biases, norms, tokens and position embeddings ({Default(o => o.WeightDecay)})." };
    private readonly Option<double?> _warmup = new("--warmup-epochs") { Description = $"Linear warm-up length in epochs ({Default(o => o.WarmupEpochs)})." };
    private readonly Option<float?> _smoothing = new("--label-smoothing") { Description = $"Label smoothing ({Default(o => o.LabelSmoothing)})." };
    private readonly Option<float?> _dropPath = new("--drop-path") { Description = $"Stochastic depth rate of the last block (default {Number(new ModelOptions().DropPathRate)})." };
    private readonly Option<double?> _clipGrad = new("--clip-grad") { Description = "Clip the gradient norm to this." };
    private readonly Option<double?> _ema = new("--model-ema") { Description = "Keep an exponential moving average of the weights with this decay (e.g. 0.9998); saved as model_ema.safetensors." };
    private readonly Option<bool> _noAugment = new("--no-augment") { Description = "No augmentation (default: crop with padding, flips where the data set allows)." };
    private readonly Option<int?> _cropPadding = new("--crop-padding") { Description = "Random-crop padding in pixels (default: the data set's, 2 at 28 px, 4 at 32 px); 0 turns cropping off." };
    private readonly Option<bool> _noFlip = new("--no-flip") { Description = "No random horizontal flips." };
    private readonly Option<bool> _resizedCrop = new("--random-resized-crop")
    {
        Description = "timm's RandomResizedCrop (scale 0.08-1, ratio 3/4-4/3, bilinear) from the stored image instead of the padded crop.",
    };
    private readonly Option<bool> _noShuffle = new("--no-shuffle") { Description = "Keep the stored order of the training images." };
    private readonly Option<float?> _mixup = new("--mixup") { Description = "Mixup alpha (timm: 0.8); 0 is off (default: off)." };
    private readonly Option<float?> _cutmix = new("--cutmix") { Description = "CutMix alpha (timm: 1.0); 0 is off (default: off)." };
    private readonly Option<float?> _erasing = new("--random-erasing") { Description = "Random erasing probability (timm: 0.25); 0 is off (default: off)." };
    private readonly Option<int?> _checkpointEvery = new("--checkpoint-every") { Description = "Also checkpoint every N steps (checkpoints are written every epoch)." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Continue from the output directory's checkpoint." };
    private readonly Option<bool> _syncBn = new("--sync-bn") { Description = "Under mpirun or with --replicas: batch-norm statistics over the whole global batch (all ranks) instead of each rank's part." };
    private readonly Option<int?> _replicas = new("--replicas")
    {
        Description = $"Replicas of the model trained side by side in this process, each on its part of every batch (data parallelism as mpirun -np R runs it, without MPI; faster for small models whose ops are too small to split over cores), 1 to {MaxReplicas} (default 1); the result depends on it, not on --threads.",
    };

    // Each replica needs at least one image per step; more replicas than cores only take turns.
    private const int MaxReplicas = 64;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _epochs, _maxSteps, _batchSize, _optimizer, _lr, _minLr, _momentum, _nesterov, _weightDecay, _warmup, _smoothing,
                     _dropPath, _clipGrad, _ema, _noAugment, _cropPadding, _noFlip, _resizedCrop, _noShuffle, _mixup, _cutmix, _erasing, _checkpointEvery, _resume, _syncBn, _replicas })
            command.Options.Add(o);
    }

    /// <summary>Resume flag.</summary>
    public bool Resume(ParseResult parse) => parse.GetValue(_resume);

    /// <summary>
    /// The ranks training together (<see cref="Cluster.World"/>: several under mpirun, else one); under mpirun rank 0 prints
    /// the first log line, naming them.
    /// </summary>
    /// <exception cref="UserInputException">The global batch is smaller than the number of ranks.</exception>
    public ICommunicator Ranks(ParseResult parse)
    {
        var world = Cluster.World;
        if (world.Size == 1) return world;
        int batch = BatchSize(parse);
        if (batch < world.Size) throw new UserInputException($"--batch-size {batch} is smaller than the {world.Size} ranks of this mpirun; each rank needs at least one image per step.");
        if (world.Rank == 0)
            Console.Error.WriteLine($"data-parallel training on {world.Size} ranks (MPI): {batch} images per step, {batch / world.Size}{(batch % world.Size == 0 ? "" : "-" + (batch / world.Size + 1))} per rank, "
                + (parse.GetValue(_syncBn) ? "batch norm synchronised over the ranks" : "batch norm per rank"));
        return world;
    }

    /// <summary>
    /// The in-process replicas of <c>--replicas</c> (1: none); under mpirun rank 0 is told they are refused, as each rank is
    /// already one replica.
    /// </summary>
    /// <exception cref="UserInputException">Out of range, more than the batch has images, or combined with mpirun.</exception>
    public int Replicas(ParseResult parse)
    {
        if (parse.GetValue(_replicas) is not { } replicas) return 1;
        replicas = CommonOptions.InRange(replicas, 1, MaxReplicas, "--replicas");
        if (replicas > 1 && Cluster.World.Size > 1) throw new UserInputException($"--replicas {replicas} cannot be combined with mpirun's {Cluster.World.Size} ranks; use one or the other.");
        int batch = BatchSize(parse);
        if (batch < replicas) throw new UserInputException($"--batch-size {batch} is smaller than --replicas {replicas}; each replica needs at least one image per step.");
        if (replicas > 1)
            Console.Error.WriteLine($"data-parallel training on {replicas} replicas in this process: {batch} images per step, {batch / replicas}{(batch % replicas == 0 ? "" : "-" + (batch / replicas + 1))} per replica, "
                + (parse.GetValue(_syncBn) ? "batch norm synchronised over the replicas" : "batch norm per replica"));
        return replicas;
    }

    /// <summary>With <c>--sync-bn</c>, makes <paramref name="model"/>'s batch norms take their statistics over all of <paramref name="world"/>.</summary>
    public void SynchronizeBatchNorms(ParseResult parse, Module model, ICommunicator world)
    {
        if (SyncBatchNormRequested(parse)) SyncBatchNorm.Convert(model, world);
    }

    /// <summary>Whether <c>--sync-bn</c> was given.</summary>
    public bool SyncBatchNormRequested(ParseResult parse) => parse.GetValue(_syncBn);

    /// <summary>Stochastic depth rate.</summary>
    public float DropPath(ParseResult parse)
    {
        float p = parse.GetValue(_dropPath) ?? new ModelOptions().DropPathRate;
        return p is >= 0 and < 1 ? p : throw new UserInputException($"--drop-path {p} is invalid: it must be in [0, 1).");
    }

    /// <summary>Batch size.</summary>
    public int BatchSize(ParseResult parse) => CommonOptions.BatchSize(parse.GetValue(_batchSize));

    /// <summary>The recipe, with epochs derived from <paramref name="batchesPerEpoch"/> when only --max-steps is given.</summary>
    /// <exception cref="UserInputException">An option is out of range.</exception>
    public TrainingOptions Recipe(ParseResult parse, int batchesPerEpoch)
    {
        var defaults = TrainingOptions.For(parse.GetValue(_optimizer) ?? AdamW.Optimizer);
        int? maxSteps = parse.GetValue(_maxSteps) is { } m ? CommonOptions.AtLeast(m, 1, "--max-steps") : null;
        int epochs = parse.GetValue(_epochs) is { } e ? CommonOptions.InRange(e, 1, TrainingOptions.MaxEpochs, "--epochs")
            : maxSteps is { } steps ? EpochsFor(steps, batchesPerEpoch) : defaults.Epochs;
        var options = defaults with
        {
            Epochs = epochs,
            MaxSteps = maxSteps,
            LearningRate = parse.GetValue(_lr) ?? defaults.LearningRate,
            MinLearningRate = parse.GetValue(_minLr) ?? defaults.MinLearningRate,
            Momentum = parse.GetValue(_momentum) ?? defaults.Momentum,
            Nesterov = parse.GetValue(_nesterov),
            WeightDecay = parse.GetValue(_weightDecay) ?? defaults.WeightDecay,
            WarmupEpochs = parse.GetValue(_warmup) ?? defaults.WarmupEpochs,
            LabelSmoothing = parse.GetValue(_smoothing) ?? defaults.LabelSmoothing,
            ClipGradNorm = parse.GetValue(_clipGrad),
            EmaDecay = parse.GetValue(_ema),
            CheckpointEvery = parse.GetValue(_checkpointEvery),
        };
        options.Validate();
        // The schedule counts steps in 32 bits: refuse a run whose length does not fit rather than let it wrap around.
        if ((long)options.Epochs * Math.Max(1, batchesPerEpoch) > int.MaxValue)
            throw new UserInputException($"--epochs {options.Epochs} at {batchesPerEpoch:N0} batches per epoch is more than {int.MaxValue:N0} steps: train fewer epochs or use a larger --batch-size.");
        return options;
    }

    /// <summary>The training loader over <paramref name="train"/> for a model taking <paramref name="input"/>, shuffled and augmented with <paramref name="seed"/>.</summary>
    public DataLoader TrainLoader(ParseResult parse, ImageDataset train, ModelInput input, int numClasses, float labelSmoothing, ulong seed)
    {
        var augmentation = parse.GetValue(_noAugment) ? Augmentation.None : Augmentation.Default(train);
        augmentation = augmentation with
        {
            MixupAlpha = parse.GetValue(_mixup) ?? augmentation.MixupAlpha,
            CutmixAlpha = parse.GetValue(_cutmix) ?? augmentation.CutmixAlpha,
            RandomErasingProb = parse.GetValue(_erasing) ?? augmentation.RandomErasingProb,
        };
        if (parse.GetValue(_cropPadding) is { } padding) augmentation = augmentation with { CropPadding = CommonOptions.AtLeast(padding, 0, "--crop-padding") };
        if (parse.GetValue(_noFlip)) augmentation = augmentation with { HorizontalFlip = false };
        if (parse.GetValue(_resizedCrop)) augmentation = augmentation with { RandomResizedCrop = true, CropPadding = 0 };
        return DataLoader.ForTraining(train, BatchSize(parse), augmentation, input, numClasses, seed, labelSmoothing, shuffle: !parse.GetValue(_noShuffle));
    }

    // The epochs --max-steps spans, in 64 bits so that a huge step count is refused by name rather than wrapped to a negative count.
    private static int EpochsFor(int steps, int batchesPerEpoch)
    {
        long epochs = (steps + (long)batchesPerEpoch - 1) / Math.Max(1, batchesPerEpoch);
        return epochs <= TrainingOptions.MaxEpochs ? (int)epochs
            : throw new UserInputException($"--max-steps {steps:N0} is {epochs:N0} epochs of {batchesPerEpoch:N0} batches, more than the {TrainingOptions.MaxEpochs:N0} supported.");
    }

    // "default X" when both optimisers agree, else "default: adamw X, sgd Y".
    private static string Default(Func<TrainingOptions, double> field) => field(AdamW) == field(Sgd)
        ? $"default {Number(field(AdamW))}"
        : $"default: {KindNameOf(AdamW)} {Number(field(AdamW))}, {KindNameOf(Sgd)} {Number(field(Sgd))}";

    private static string KindNameOf(TrainingOptions recipe) => Search.KindNames.Of(recipe.Optimizer);

    private static string Number(double value) => value.ToString("0.#######", CultureInfo.InvariantCulture);
}
