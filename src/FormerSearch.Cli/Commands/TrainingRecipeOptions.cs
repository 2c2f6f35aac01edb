using FormerSearch.Engine;
using System.CommandLine;
using FormerSearch.Data;
using FormerSearch.Models;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// The options of a training run shared by <c>former train</c> and <c>former supernet train</c>. Defaults depend on the
/// optimiser: AdamW follows DeiT's recipe scaled down (lr 1e-3, weight decay 0.05, label smoothing 0.1, one warm-up
/// epoch, cosine to 1e-5); SGD the classic one (lr 0.1, momentum 0.9, weight decay 1e-4, no smoothing, no warm-up,
/// cosine to 0), so that with momentum and decay at 0 a step is exactly w − lr·∇.
/// </summary>
public sealed class TrainingRecipeOptions
{
    private readonly Option<int?> _epochs = new("--epochs") { Description = "Epochs to train (default 10, or as many as --max-steps needs)." };
    private readonly Option<int?> _maxSteps = new("--max-steps") { Description = "Stop after this many optimiser steps." };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 128 };
    private readonly Option<string> _optimizer = new("--optimizer") { Description = "adamw | sgd.", DefaultValueFactory = _ => "adamw" };
    private readonly Option<double?> _lr = new("--lr") { Description = "Peak learning rate (default: adamw 1e-3, sgd 0.1)." };
    private readonly Option<double?> _minLr = new("--min-lr") { Description = "Learning rate at the end of the cosine (default: adamw 1e-5, sgd 0)." };
    private readonly Option<double?> _momentum = new("--momentum") { Description = "SGD momentum (default 0.9)." };
    private readonly Option<bool> _nesterov = new("--nesterov") { Description = "SGD with Nesterov momentum." };
    private readonly Option<double?> _weightDecay = new("--weight-decay") { Description = "Weight decay, not on biases, norms, tokens and position embeddings (default: adamw 0.05, sgd 1e-4)." };
    private readonly Option<double?> _warmup = new("--warmup-epochs") { Description = "Linear warm-up length in epochs (default: adamw 1, sgd 0)." };
    private readonly Option<float?> _smoothing = new("--label-smoothing") { Description = "Label smoothing (default: adamw 0.1, sgd 0)." };
    private readonly Option<float> _dropPath = new("--drop-path") { Description = "Stochastic depth rate of the last block.", DefaultValueFactory = _ => 0f };
    private readonly Option<double?> _clipGrad = new("--clip-grad") { Description = "Clip the gradient norm to this." };
    private readonly Option<double?> _ema = new("--model-ema") { Description = "Keep an exponential moving average of the weights with this decay (e.g. 0.9998); saved as model_ema.safetensors." };
    private readonly Option<bool> _noAugment = new("--no-augment") { Description = "No augmentation (default: crop with padding, flips where the data set allows)." };
    private readonly Option<int?> _cropPadding = new("--crop-padding") { Description = "Random-crop padding in pixels (default: the data set's, 2 at 28 px, 4 at 32 px); 0 turns cropping off." };
    private readonly Option<bool> _noFlip = new("--no-flip") { Description = "No random horizontal flips." };
    private readonly Option<bool> _noShuffle = new("--no-shuffle") { Description = "Keep the stored order of the training images." };
    private readonly Option<float> _mixup = new("--mixup") { Description = "Mixup alpha (timm: 0.8); 0 is off.", DefaultValueFactory = _ => 0f };
    private readonly Option<float> _cutmix = new("--cutmix") { Description = "CutMix alpha (timm: 1.0); 0 is off.", DefaultValueFactory = _ => 0f };
    private readonly Option<float> _erasing = new("--random-erasing") { Description = "Random erasing probability (timm: 0.25); 0 is off.", DefaultValueFactory = _ => 0f };
    private readonly Option<int?> _checkpointEvery = new("--checkpoint-every") { Description = "Also checkpoint every N steps (checkpoints are written every epoch)." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Continue from the output directory's checkpoint." };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed of weights, data order, augmentation and sampling.", DefaultValueFactory = _ => 0 };
    private readonly Option<bool> _noProgress = new("--no-progress") { Description = "Plain log lines instead of a progress bar." };

    /// <summary>Threads.</summary>
    public Option<int> Threads { get; } = CommonOptions.Threads();

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _epochs, _maxSteps, _batchSize, _optimizer, _lr, _minLr, _momentum, _nesterov, _weightDecay, _warmup, _smoothing,
                     _dropPath, _clipGrad, _ema, _noAugment, _cropPadding, _noFlip, _noShuffle, _mixup, _cutmix, _erasing, _checkpointEvery, _resume, _seed, _noProgress, Threads })
            command.Options.Add(o);
    }

    /// <summary>Seed.</summary>
    public ulong Seed(ParseResult parse) => parse.GetValue(_seed);

    /// <summary>Resume flag.</summary>
    public bool Resume(ParseResult parse) => parse.GetValue(_resume);

    /// <summary>Stochastic depth rate.</summary>
    public float DropPath(ParseResult parse)
    {
        float p = parse.GetValue(_dropPath);
        return p is >= 0 and < 1 ? p : throw new UserInputException($"--drop-path {p} is invalid: it must be in [0, 1).");
    }

    /// <summary>Batch size.</summary>
    public int BatchSize(ParseResult parse) => CommonOptions.AtLeast(parse.GetValue(_batchSize), 1, "--batch-size");

    /// <summary>The recipe, with epochs derived from <paramref name="batchesPerEpoch"/> when only --max-steps is given.</summary>
    /// <exception cref="UserInputException">An option is out of range.</exception>
    public TrainingOptions Recipe(ParseResult parse, int batchesPerEpoch)
    {
        bool sgd = parse.GetValue(_optimizer)!.ToLowerInvariant() switch
        {
            "adamw" => false,
            "sgd" => true,
            var other => throw new UserInputException($"--optimizer '{other}' is unknown: use adamw or sgd."),
        };
        int? maxSteps = parse.GetValue(_maxSteps) is { } m ? CommonOptions.AtLeast(m, 1, "--max-steps") : null;
        int epochs = parse.GetValue(_epochs) is { } e ? CommonOptions.AtLeast(e, 1, "--epochs")
            : maxSteps is { } steps ? (steps + batchesPerEpoch - 1) / Math.Max(1, batchesPerEpoch) : 10;
        var options = new TrainingOptions
        {
            Epochs = epochs,
            MaxSteps = maxSteps,
            Optimizer = sgd ? OptimizerKind.Sgd : OptimizerKind.AdamW,
            LearningRate = parse.GetValue(_lr) ?? (sgd ? 0.1 : 1e-3),
            MinLearningRate = parse.GetValue(_minLr) ?? (sgd ? 0 : 1e-5),
            Momentum = parse.GetValue(_momentum) ?? 0.9,
            Nesterov = parse.GetValue(_nesterov),
            WeightDecay = parse.GetValue(_weightDecay) ?? (sgd ? 1e-4 : 0.05),
            WarmupEpochs = parse.GetValue(_warmup) ?? (sgd ? 0 : 1),
            LabelSmoothing = parse.GetValue(_smoothing) ?? (sgd ? 0f : 0.1f),
            ClipGradNorm = parse.GetValue(_clipGrad),
            EmaDecay = parse.GetValue(_ema),
            CheckpointEvery = parse.GetValue(_checkpointEvery),
        };
        try { options.Validate(); }
        catch (ArgumentException ex) { throw new UserInputException(ex.Message); }
        return options;
    }

    /// <summary>The training loader over <paramref name="train"/> for a model taking <paramref name="input"/>.</summary>
    public DataLoader TrainLoader(ParseResult parse, ImageDataset train, ModelInput input, int numClasses, float labelSmoothing)
    {
        int batch = BatchSize(parse);
        var augmentation = parse.GetValue(_noAugment) ? Augmentation.None : Augmentation.Default(train);
        augmentation = augmentation with { MixupAlpha = parse.GetValue(_mixup), CutmixAlpha = parse.GetValue(_cutmix), RandomErasingProb = parse.GetValue(_erasing) };
        if (parse.GetValue(_cropPadding) is { } padding) augmentation = augmentation with { CropPadding = CommonOptions.AtLeast(padding, 0, "--crop-padding") };
        if (parse.GetValue(_noFlip)) augmentation = augmentation with { HorizontalFlip = false };
        return DataLoader.ForTraining(train, batch, augmentation, input, numClasses, Seed(parse), labelSmoothing, shuffle: !parse.GetValue(_noShuffle));
    }

    /// <summary>The progress reporter the terminal allows: a live bar unless --no-progress or output is redirected.</summary>
    public bool WantsBar(ParseResult parse) => !parse.GetValue(_noProgress) && !Console.IsErrorRedirected && !Console.IsOutputRedirected;
}
