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
/// <c>former export --model NAME | --arch FILE --weights W --output M.onnx [--opset N] [--batch N|dynamic] [--input CxHxW]
/// [--num-classes K] [--class-names FILE] [--mean M,M,M --std S,S,S] [--json]</c>: the model as an ONNX file that takes
/// NCHW float32 images and gives logits (traced from an eval-mode forward; see <see cref="OnnxExporter"/>).
/// <c>--json</c> prints <c>{"output", "model", "opset", "batch", "bytes", "seconds"}</c>.
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
        var input = new Option<string?>("--input") { Description = "Input as CxHxW, e.g. 3x224x224 (default: the model's)." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier outputs (default: the rows of the weights' head.weight, else 1000)." };
        var classNames = new Option<string?>("--class-names") { Description = "A text file with one class name per line, in logit order, written into the file's metadata." };
        var mean = new Option<string?>("--mean") { Description = "Per-channel input mean for the metadata, e.g. 0.485,0.456,0.406 (pixels scaled to [0, 1])." };
        var std = new Option<string?>("--std") { Description = "Per-channel input std for the metadata, e.g. 0.229,0.224,0.225." };
        var run = new RunOptions("Unused: export draws nothing at random (accepted as by every long-running command).");
        var command = new Command("export", "Write a model with its weights as ONNX (NCHW float32 images in, logits out), traced from an eval-mode forward.")
        {
            weights, output, opset, batch, input, numClasses, classNames, mean, std,
        };
        selection.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var entry = selection.Resolve(parse);
            var options = new OnnxExportOptions
            {
                Opset = parse.GetValue(opset),
                BatchSize = ParseBatch(parse.GetValue(batch)!),
                ModelName = entry.Name,
                ModelCard = new OnnxModelCard
                {
                    ClassNames = parse.GetValue(classNames) is { } file ? ReadClassNames(file) : null,
                    Mean = parse.GetValue(mean) is { } m ? ParseFloats(m, "--mean") : null,
                    Std = parse.GetValue(std) is { } s ? ParseFloats(s, "--std") : null,
                },
            };
            options.Validate();
            var size = parse.GetValue(input) is { } text ? ProfileCommand.ParseInput(text) : entry.DefaultInput;
            int? classes = parse.GetValue(numClasses) is { } k ? CommonOptions.Classes(k) : null;
            return Run(entry, parse.GetValue(weights)!, parse.GetValue(output)!, size, classes, options, run.WantsJson(parse));
        });
        return command;
    }

    private static int Run(ModelEntry entry, string weightsPath, string outputPath, ModelInput size, int? numClasses, OnnxExportOptions options, bool json)
    {
        if (!File.Exists(weightsPath)) throw new UserInputException($"Weights file '{weightsPath}' does not exist.");
        if (Path.GetDirectoryName(Path.GetFullPath(outputPath)) is { } outputDir && !Directory.Exists(outputDir))
            throw new UserInputException($"Output '{outputPath}' cannot be written: its directory does not exist.");
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

    private static float[] ParseFloats(string text, string option)
    {
        var parts = text.Split(',');
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                throw new UserInputException($"{option} '{text}' is invalid: give one number per channel, separated by commas.");
        }
        return values;
    }

    private static string[] ReadClassNames(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"Class names file '{path}' does not exist.");
        var names = File.ReadAllLines(path).Select(line => line.Trim()).ToList();
        while (names.Count > 0 && names[^1].Length == 0) names.RemoveAt(names.Count - 1);
        if (names.Any(n => n.Length == 0)) throw new UserInputException($"Class names file '{path}' has an empty line among its names.");
        return [.. names];
    }
}
