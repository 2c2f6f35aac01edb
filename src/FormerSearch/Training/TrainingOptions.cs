using FormerSearch.Engine;

namespace FormerSearch.Training;

/// <summary>
/// A training recipe. Defaults are DeiT's / PoolFormer's recipe scaled down to small data and short runs: AdamW, weight
/// decay 0.05 with timm's no-decay split, label smoothing 0.1, cosine decay per step after a one-epoch linear warm-up.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Epochs to train. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Stop after this many optimiser steps (the schedule still spans <see cref="Epochs"/> or these steps, whichever is fewer); null for none.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Optimiser. Default AdamW.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;

    /// <summary>Peak learning rate. Default 1e-3 (AdamW at batch 128, the DeiT rule 5e-4·B/512 rounded up for short runs).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// The recipe for fine-tuning a subnet from its inherited weights (<c>former search</c>, rank studies): half the default
    /// learning rate and no warm-up, for <paramref name="epochs"/> epochs or <paramref name="maxSteps"/> steps.
    /// </summary>
    public static TrainingOptions FromInherited(int epochs, int? maxSteps) => new() { Epochs = epochs, MaxSteps = maxSteps, LearningRate = 5e-4, WarmupEpochs = 0 };

    /// <summary>Learning rate at the end of the cosine. Default 1e-5.</summary>
    public double MinLearningRate { get; init; } = 1e-5;

    /// <summary>Learning rate the warm-up starts from. Default 1e-6 (timm's).</summary>
    public double WarmupLearningRate { get; init; } = 1e-6;

    /// <summary>Warm-up length in epochs (fractions allowed). Default 1.</summary>
    public double WarmupEpochs { get; init; } = 1;

    /// <summary>Weight decay (not applied to biases, norms, position embeddings and tokens). Default 0.05.</summary>
    public double WeightDecay { get; init; } = 0.05;

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>SGD Nesterov momentum. Default false.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Label smoothing of the hard-label loss. Default 0.1.</summary>
    public float LabelSmoothing { get; init; } = 0.1f;

    /// <summary>Clip the global gradient 2-norm to this; null for no clipping.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Decay of an exponential moving average of the weights (timm's ModelEmaV2, e.g. 0.9998); null for none.</summary>
    public double? EmaDecay { get; init; }

    /// <summary>Also checkpoint every this many steps (checkpoints are written at every epoch's end regardless); null for epochs only.</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>
    /// The recipe of <paramref name="optimizer"/>, whose defaults differ: AdamW as above; SGD the classic one (lr 0.1,
    /// momentum 0.9, weight decay 1e-4, no label smoothing, no warm-up, cosine to 0), so that with momentum and weight
    /// decay at 0 a step is exactly w − lr·∇.
    /// </summary>
    public static TrainingOptions For(OptimizerKind optimizer) => optimizer == OptimizerKind.Sgd
        ? new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, MinLearningRate = 0, WeightDecay = 1e-4, WarmupEpochs = 0, LabelSmoothing = 0 }
        : new TrainingOptions();

    /// <summary>Most epochs a recipe may ask for (a typo's bound, far above any published schedule: DeiT trains 300).</summary>
    public const int MaxEpochs = 100_000;

    /// <summary>
    /// Largest learning rate, weight decay or (warm-up, final) learning rate accepted: every published recipe is below 1
    /// (SGD's 0.1, AdamW's 1e-3 and decay 0.05), so a larger value is a typo that would only diverge.
    /// </summary>
    public const double MaxRate = 10;

    /// <summary>Checks the values.</summary>
    /// <exception cref="UserInputException">A count is not positive or above its bound, a rate is not a finite number in its range, or a fraction is outside its range; the message names the option.</exception>
    public void Validate()
    {
        if (Epochs is < 1 or > MaxEpochs) throw new UserInputException($"The number of epochs must be between 1 and {MaxEpochs:N0}; got {Epochs}.");
        if (MaxSteps is < 1) throw new UserInputException($"The maximum number of steps must be at least 1; got {MaxSteps}.");
        if (!(LearningRate is > 0 and <= MaxRate)) throw new UserInputException($"The learning rate must be positive and at most {MaxRate}; got {LearningRate}.");
        if (!(MinLearningRate is >= 0 and <= MaxRate) || !(WarmupLearningRate is >= 0 and <= MaxRate))
            throw new UserInputException($"The minimum and warm-up learning rates must be in [0, {MaxRate}]; got {MinLearningRate} and {WarmupLearningRate}.");
        if (!(WarmupEpochs is >= 0 and <= MaxEpochs)) throw new UserInputException($"The warm-up must be between 0 and {MaxEpochs:N0} epochs; got {WarmupEpochs}.");
        if (!(WeightDecay is >= 0 and <= MaxRate)) throw new UserInputException($"The weight decay must be in [0, {MaxRate}]; got {WeightDecay}.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new UserInputException($"The momentum must be in [0, 1); got {Momentum}.");
        if (Nesterov && Momentum == 0) throw new UserInputException("Nesterov momentum needs a positive momentum.");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) throw new UserInputException($"The label smoothing must be in [0, 1); got {LabelSmoothing}.");
        if (ClipGradNorm is { } c && !(c > 0 && double.IsFinite(c))) throw new UserInputException($"The gradient clipping norm must be a positive finite number; got {c}.");
        if (EmaDecay is { } d && !(d > 0 && d < 1)) throw new UserInputException($"The EMA decay must be in (0, 1); got {d}.");
        if (CheckpointEvery is < 1) throw new UserInputException($"--checkpoint-every must be at least 1; got {CheckpointEvery}.");
    }
}
