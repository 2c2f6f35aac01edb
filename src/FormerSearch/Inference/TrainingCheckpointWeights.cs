using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Inference;

/// <summary>
/// The model inside a <c>former train</c> checkpoint (<c>checkpoint.safetensors</c>: the model's state under <c>model.</c>, in
/// the engine's own layouts, beside the optimiser's under <c>optimizer.</c> and the weight average's under <c>ema.</c>; see
/// <see cref="Training.TrainingCheckpoint"/>), so that a checkpoint is weights to evaluate or predict with like the run's
/// <c>model.safetensors</c>. <c>--weights-key ema</c> picks the weight average.
/// </summary>
public static class TrainingCheckpointWeights
{
    // The checkpoint's "format" metadata up to its version (TrainingCheckpoint writes "former-training-checkpoint/1").
    private const string FormatPrefix = "former-training-checkpoint/";

    /// <summary>The weights file of a run, written beside its checkpoint; its model card is the checkpoint's.</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>Whether <paramref name="path"/> is a training checkpoint (false for a missing file or any other weights file).</summary>
    public static bool Is(string path)
    {
        try
        {
            return StateDictFile.Detect(path) == CheckpointFormat.SafeTensors
                && SafeTensors.ReadHeader(path).Metadata.TryGetValue("format", out var format) && format.StartsWith(FormatPrefix, StringComparison.Ordinal);
        }
        catch (UserInputException)
        {
            return false; // loading the file reports what is wrong with it
        }
    }

    /// <summary>The run's <c>model.safetensors</c> beside checkpoint <paramref name="path"/>, or null when there is none.</summary>
    public static string? ModelFileBeside(string path)
    {
        string beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, ModelFileName);
        return File.Exists(beside) && !Is(beside) ? beside : null;
    }

    /// <summary>The rows of the model's <c>head.weight</c> in checkpoint <paramref name="path"/> (the section <paramref name="key"/> picks), or null.</summary>
    public static int? HeadClasses(string path, string? key) =>
        SafeTensors.ReadHeader(path).Shapes.TryGetValue(Prefix(key, path) + "head.weight", out var shape) && shape.Length == 2 && shape[0] >= 1 ? shape[0] : null;

    /// <summary>Copies the model state of checkpoint <paramref name="path"/> (or its weight average, <paramref name="key"/> <c>ema</c>) into <paramref name="model"/>.</summary>
    /// <exception cref="UserInputException">The key is neither <c>model</c> nor <c>ema</c>, the checkpoint keeps no weight average, or its state does not fit the model.</exception>
    public static void Load(Module model, string path, string? key)
    {
        ArgumentNullException.ThrowIfNull(model);
        string prefix = Prefix(key, path);
        var state = SafeTensors.Load(path).Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        if (state.Count == 0) throw new UserInputException($"Training checkpoint '{path}' keeps no weight average (the run had no --model-ema); leave --weights-key out to use its model.");
        try
        {
            model.LoadStateDict(state, strict: true);
        }
        catch (ArgumentException e) // the loader refuses a state of other names or shapes
        {
            throw new UserInputException($"Training checkpoint '{path}' does not fit this model: {e.Message}", e);
        }
    }

    private static string Prefix(string? key, string path) => key switch
    {
        null or "model" => "model.",
        "ema" => "ema.",
        _ => throw new UserInputException($"--weights-key '{key}' is not a part of training checkpoint '{path}': give model (the default) or ema (the weight average)."),
    };
}
