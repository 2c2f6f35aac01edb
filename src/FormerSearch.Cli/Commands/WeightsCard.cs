using FormerSearch.Engine;
using FormerSearch.Inference;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// A weights file a command was given with its model card, and <see cref="Source"/>, how messages about the card name the file
/// the card came from (for a training checkpoint, the run's <c>model.safetensors</c> beside it).
/// </summary>
public sealed record WeightsCard(string Path, ModelCard Card, string Source)
{
    /// <summary>
    /// Reads the card of weights file <paramref name="path"/> (<paramref name="option"/> names it in errors); a training
    /// checkpoint is announced on standard error with where its card came from.
    /// </summary>
    /// <exception cref="UserInputException">The file does not exist or its card is malformed.</exception>
    public static WeightsCard Read(string path, string option = "Weights file")
    {
        if (!File.Exists(path)) throw new UserInputException($"{option} '{path}' does not exist.");
        if (!TrainingCheckpointWeights.Is(path)) return new WeightsCard(path, ModelCard.Read(path), $"'{path}'");
        string? beside = TrainingCheckpointWeights.ModelFileBeside(path);
        Console.Error.WriteLine(beside is null
            ? $"'{path}' is a training checkpoint: using the model it holds (there is no {TrainingCheckpointWeights.ModelFileName} beside it with a model card)"
            : $"'{path}' is a training checkpoint: using the model it holds, with the model card of '{beside}'");
        return new WeightsCard(path, ModelCard.Read(path), $"'{beside ?? path}'");
    }
}
