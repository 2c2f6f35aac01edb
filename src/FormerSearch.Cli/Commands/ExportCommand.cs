using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Export;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former export [--model NAME | --arch FILE] --weights W --output M.onnx [--opset N] [--batch N|dynamic] [--input CxHxW]
/// [--num-classes K] [--class-names FILE] [--mean M,M,M --std S,S,S] [--json]</c>: the model as an ONNX file that takes
/// NCHW float32 images and gives logits (traced from an eval-mode forward; see <see cref="OnnxExporter"/>).
/// <c>--json</c> prints <c>{"output", "model", "opset", "batch", "bytes", "seconds"}</c>. The weights' model card gives the model,
/// input, class count, class names and normalisation unless given (a model, input or class count contradicting it is an error).
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var selection = new ModelSelection();
        var weights = new Option<string>("--weights") { Description = "Weights as safetensors, in PyTorch's names and layouts.", Required = true };
        var output = new Option<string>("--output") { Description = "The ONNX file to write (atomically: an existing file is replaced only by a complete export).", Required = true };
        var opset = new Option<int>("--opset")
        {
            Description = $"ONNX opset of the nodes, {OnnxExportOptions.MinOpset}–{OnnxExportOptions.MaxOpset} (IR version 8).",
            DefaultValueFactory = _ => OnnxExportOptions.DefaultOpset,
        };
        var batch = new Option<string>("--batch") { Description = "The batch dimension: 'dynamic' (named 'batch') or a fixed size N.", DefaultValueFactory = _ => "dynamic" };
        var card = new CardOptions("Input as CxHxW, e.g. 3x224x224 (default: the model card's, else the model's).",
            "Classifier outputs (default: the model card's, else the rows of the weights' head.weight, else 1000).");
        var run = new RunOptions("Unused: export draws nothing at random (accepted as by every long-running command).");
        var command = new Command("export", "Write a model with its weights as ONNX (NCHW float32 images in, logits out), traced from an eval-mode forward.")
        {
            weights, output, opset, batch,
        };
        card.AddTo(command);
        selection.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var carded = WeightsCard.Read(parse.GetValue(weights)!);
            var entry = selection.Resolve(parse, carded);
            var known = card.Apply(parse, carded);
            var size = known.Input ?? entry.DefaultInput;
            var options = new OnnxExportOptions
            {
                Opset = parse.GetValue(opset),
                BatchSize = ParseBatch(parse.GetValue(batch)!),
                ModelName = entry.Name,
                ModelCard = new OnnxModelCard
                {
                    ClassNames = known.ClassNames,
                    Mean = PerChannel(known.Mean, size.Channels),
                    Std = PerChannel(known.Std, size.Channels),
                },
            };
            options.Validate();
            return Run(entry, carded.Path, parse.GetValue(output)!, size, known.NumClasses, options, run.WantsJson(parse));
        });
        return command;
    }

    private static int Run(ModelEntry entry, string weightsPath, string outputPath, ModelInput size, int? numClasses, OnnxExportOptions options, bool json)
    {
        OutputPath.File(outputPath);
        ModelInputs.CheckMemory(entry, ModelOptions.For(size, numClasses ?? 1000), options.BatchSize ?? 1);
        var model = Predictor.Load(entry, weightsPath, size, numClasses).Model;
        var clock = Stopwatch.StartNew();
        OnnxExporter.Save(model, outputPath, options);
        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = new FileInfo(outputPath).Length;
        string batch = options.BatchSize is { } n ? n.ToString(CultureInfo.InvariantCulture) : "dynamic";
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                output = Path.GetFullPath(outputPath),
                model = entry.Name,
                opset = options.Opset,
                batch = options.BatchSize,
                bytes,
                seconds = Math.Round(seconds, 3),
            }));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {outputPath}: {entry.Name} at {size}, {model.NumClasses} classes, opset {options.Opset}, batch {batch}, {bytes / 1e6:F1} MB in {seconds:F2} s."));
        }
        return ExitCodes.Success;
    }

    /// <summary>"dynamic" → null, a positive integer → itself.</summary>
    /// <exception cref="UserInputException">Anything else.</exception>
    private static int? ParseBatch(string text)
    {
        if (text.Equals("dynamic", StringComparison.OrdinalIgnoreCase)) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1) return n;
        throw new UserInputException($"--batch '{text}' is invalid: give 'dynamic' or a batch size of at least 1.");
    }

    // A model card's normalisation is per data channel: one value for 1-channel data a 3-channel model takes repeated.
    private static IReadOnlyList<float>? PerChannel(IReadOnlyList<float>? values, int channels) =>
        values is [var single] && channels > 1 ? Enumerable.Repeat(single, channels).ToArray() : values;
}
