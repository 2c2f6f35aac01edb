using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former predict</c> on image files: <c>--format csv|json</c> (else the output's extension, else CSV), <c>--top-k K</c>
/// (default 5, or fewer classes), <c>--image-size CxHxW</c> (weights without a model card), <c>--strict-images</c>. CSV:
/// <c>file,class_1,prob_1,…,class_k,prob_k</c>; JSON: <c>[{"file", "top": [{"class", "index", "probability"}]}]</c>. A file
/// named on the command line that cannot be read is an error; one found in a folder is skipped with a warning.
/// </summary>
public sealed class PredictImages
{
    private const int NamedWarnings = 10;

    private readonly Option<string?> _format = new("--format") { Description = "Image predictions as csv or json (default: the --output file's extension, else csv)." };
    private readonly Option<int> _topK = new("--top-k") { Description = "Classes listed per image (default 5, or fewer classes).", DefaultValueFactory = _ => 5 };
    private readonly Option<string?> _imageSize = new("--image-size") { Description = "Model input CxHxW for weights without a model card (default: the model's)." };
    private readonly Option<bool> _strict = new("--strict-images") { Description = "Exit with an error on an unreadable image found in a folder instead of skipping it." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_format);
        command.Options.Add(_topK);
        command.Options.Add(_imageSize);
        command.Options.Add(_strict);
    }

    /// <summary>Predicts every image of <paramref name="inputs"/> and writes the predictions.</summary>
    public int Run(ParseResult parse, ModelEntry entry, WeightsCard weights, string? weightsKey, string[] inputs, string? output, int? numClasses, int batchSize, RunOptions run)
    {
        var card = weights.Card;
        string format = Format(parse.GetValue(_format), output);
        int topK = CommonOptions.AtLeast(parse.GetValue(_topK), 1, "--top-k");
        var (files, named) = Expand(inputs);
        var size = ModelCard.Settle("--image-size", parse.GetValue(_imageSize) is { } text ? ProfileCommand.ParseInput(text) : (ModelInput?)null, card.Input, weights.Source)
            ?? entry.DefaultInput;
        ModelInputs.CheckMemory(entry, ModelOptions.For(size, numClasses ?? card.NumClasses ?? 1000), batchSize);
        var predictor = Predictor.Load(entry, weights.Path, size, numClasses, batchSize, weightsKey);
        var classifier = new ImageClassifier(predictor, card);
        var predictions = classifier.Predict(files, topK, EngineSettings.Threads, out var skipped);

        if (skipped.FirstOrDefault(s => named.Contains(s.Path)) is { } bad)
            throw new UserInputException($"Image '{bad.Path}' cannot be read: {bad.Reason}.");
        if (skipped.Count > 0 && parse.GetValue(_strict))
            throw new UserInputException($"'{skipped[0].Path}' cannot be read: {skipped[0].Reason}" + (skipped.Count > 1 ? $" (and {skipped.Count - 1} more)" : "") + "; --strict-images refuses unreadable images.");
        foreach (var s in skipped.Take(NamedWarnings)) Console.Error.WriteLine($"warning: skipping '{s.Path}': {s.Reason}");
        if (skipped.Count > NamedWarnings) Console.Error.WriteLine($"warning: skipping {skipped.Count - NamedWarnings} more unreadable files ({skipped.Count} in all)");

        string written = format == "json" ? Json(predictions) : Csv(predictions, Math.Min(topK, classifier.ClassNames.Count));
        if (output is null)
        {
            if (run.WantsJson(parse))
                Console.WriteLine(new JsonObject { ["images"] = predictions.Count, ["skipped"] = skipped.Count, ["predictions"] = JsonNode.Parse(Json(predictions)) }.ToJsonString());
            else Console.Write(written);
            return ExitCodes.Success;
        }
        AtomicFile.WriteAllText(output, written);
        if (run.WantsJson(parse))
            Console.WriteLine(JsonSerializer.Serialize(new { output = Path.GetFullPath(output), images = predictions.Count, classes = classifier.ClassNames.Count, skipped = skipped.Count }));
        else Console.WriteLine(output);
        return ExitCodes.Success;
    }

    private static string Format(string? given, string? output)
    {
        string format = (given ?? Path.GetExtension(output ?? "").TrimStart('.')).ToLowerInvariant();
        if (given is null && format is not ("csv" or "json")) format = "csv";
        return format is "csv" or "json" ? format : throw new UserInputException($"--format '{given}' is unknown: use csv or json.");
    }

    // Every image file the inputs name: a file as it is, a folder's image files recursively in code-point order of their
    // paths. Returns the files named directly too (those must be readable).
    private static (List<string> Files, HashSet<string> Named) Expand(string[] inputs)
    {
        var files = new List<string>();
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (string input in inputs)
        {
            if (File.Exists(input))
            {
                files.Add(input);
                named.Add(input);
            }
            else if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                    .Where(f => ImageFolderListing.IsImageName(Path.GetFileName(f))).ToList();
                found.Sort(PythonStringOrder.Instance);
                if (found.Count == 0) throw new UserInputException($"Folder '{input}' holds no image file ({string.Join(", ", ImageFolderListing.Extensions)}).");
                files.AddRange(found);
            }
            else
            {
                throw new UserInputException($"Input '{input}' does not exist.");
            }
        }
        return (files, named);
    }

    private static string Csv(IReadOnlyList<ImagePrediction> predictions, int k)
    {
        var text = new StringBuilder("file");
        for (int i = 1; i <= k; i++) text.Append(CultureInfo.InvariantCulture, $",class_{i},prob_{i}");
        text.Append('\n');
        foreach (var p in predictions)
        {
            text.Append(Quote(p.File));
            foreach (var (_, name, probability) in p.Top) text.Append(',').Append(Quote(name)).Append(',').Append(probability.ToString("0.######", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        return text.ToString();
    }

    // RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static string Json(IReadOnlyList<ImagePrediction> predictions)
    {
        var array = new JsonArray();
        foreach (var p in predictions)
        {
            var top = new JsonArray();
            foreach (var (index, name, probability) in p.Top) top.Add(new JsonObject { ["class"] = name, ["index"] = index, ["probability"] = probability });
            array.Add(new JsonObject { ["file"] = p.File, ["top"] = top });
        }
        return array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
