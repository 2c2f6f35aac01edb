using System.CommandLine;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former predict [--model NAME | --arch FILE] --weights W.safetensors --input PATH… [--output FILE] [--format csv|json] [--top-k K]</c>:
/// the top-k classes and probabilities of image files (a file, a folder searched recursively, or several), written as CSV or
/// JSON (<see cref="PredictImages"/>); the weights' model card gives the model, input, normalisation and class names (an option
/// contradicting it is an error), and a <c>former train</c> checkpoint predicts with the model it holds. With
/// <c>--input X.npy --output Y.npy</c>: eval-mode logits of an NCHW float32 image batch, written as a float32 .npy <c>[B, K]</c>;
/// <c>--json</c> prints <c>{"output", "images", "classes"}</c>; the batch must be of the card's input size.
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var selection = new ModelSelection();
        var weights = new Option<string>("--weights") { Description = $"Weights: {WeightsKeyOption.Formats} (a safetensors model card names the model, input, normalisation and classes).", Required = true };
        var weightsKey = WeightsKeyOption.Create();
        var input = new Option<string[]>("--input")
        {
            Description = "Image files (JPEG, PNG, BMP, GIF, WebP), folders of them (searched recursively), or a float32 .npy array [B, C, H, W] (NCHW).",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string?>("--output") { Description = "Where to write: CSV or JSON predictions (default: stdout), or for .npy input the logits as a float32 .npy [B, K]; written atomically." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier outputs (default: the model card's, else the rows of the weights' head.weight, else 1000)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 64 };
        var images = new PredictImages();
        var run = new RunOptions("Unused: prediction draws nothing at random (accepted as by every long-running command).");
        var command = new Command("predict", "Top-k classes of image files, or eval-mode logits of an NCHW .npy batch, with a model and its safetensors weights.")
        {
            weights, weightsKey, input, output, numClasses, batchSize,
        };
        selection.AddTo(command);
        images.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            int batch = CommonOptions.BatchSize(parse.GetValue(batchSize));
            int? classes = parse.GetValue(numClasses) is { } k ? CommonOptions.Classes(k) : null;
            string[] inputs = parse.GetValue(input)!;
            if (parse.GetValue(output) is { } written) OutputPath.File(written); // before minutes of compute, not after
            var carded = WeightsCard.Read(parse.GetValue(weights)!);
            var entry = selection.Resolve(parse, carded);
            classes = ModelCard.Settle("--num-classes", classes, carded.Card.NumClasses, carded.Source);
            if (inputs.Length == 1 && inputs[0].EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                string outputPath = parse.GetValue(output) ?? throw new UserInputException("--output Y.npy is needed to write the logits of an .npy input.");
                return Run(entry, carded, parse.GetValue(weightsKey), inputs[0], outputPath, classes, batch, run.WantsJson(parse));
            }
            return images.Run(parse, entry, carded, parse.GetValue(weightsKey), inputs, parse.GetValue(output), classes, batch, run);
        });
        return command;
    }

    private static int Run(ModelEntry entry, WeightsCard weights, string? weightsKey, string inputPath, string outputPath, int? numClasses, int batchSize, bool json)
    {
        string weightsPath = weights.Path;
        if (!File.Exists(inputPath)) throw new UserInputException($"Input file '{inputPath}' does not exist.");
        var images = ImageBatchFile.LoadNchw(inputPath); // [B, C, H, W]
        var size = new ModelInput(images.Size(1), images.Size(2), images.Size(3));
        if (images.Size(0) < 1) throw new UserInputException($"Input '{inputPath}' holds no images (shape {Tensor.FormatShape(images.Shape)}).");
        if (weights.Card.Input is { } trained && trained != size)
            throw new UserInputException($"Input '{inputPath}' holds {size} images but the model card of {weights.Source} says the model takes {trained}; resize them to {trained}.");
        // Checked before building the model so a 1-channel batch against RGB weights gets a sentence about channels, not about a tensor shape.
        if (WeightsFile.InputChannels(weightsPath) is { } stem && stem.Channels != size.Channels)
            throw new UserInputException($"Input '{inputPath}' has {size.Channels} channel(s) but weights '{weightsPath}' expect {stem.Channels} ('{stem.Name}' is {Tensor.FormatShape(stem.Shape)}).");

        ModelInputs.CheckMemory(entry, ModelOptions.For(size, numClasses ?? 1000), batchSize);
        var predictor = Predictor.Load(entry, weightsPath, size, numClasses, batchSize, weightsKey);
        var logits = predictor.Predict(images, $"Input '{inputPath}'"); // [B, K]
        Npy.Save(outputPath, logits);
        int nonFinite = Training.Accuracy.NonFiniteRows(logits.AsSpan(), logits.Size(0));
        if (nonFinite > 0)
            Console.Error.WriteLine($"former: warning: the model produced NaN or infinite logits for {nonFinite:N0} of {logits.Size(0):N0} images (written as they are).");
        if (json) Console.WriteLine(JsonSerializer.Serialize(new { output = Path.GetFullPath(outputPath), images = logits.Size(0), classes = logits.Size(1) }));
        return ExitCodes.Success;
    }
}
