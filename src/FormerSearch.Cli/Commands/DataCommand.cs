using System.CommandLine;
using System.Text.Json;
using FormerSearch.Cli.Progress;
using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former data export --dataset SPEC [--data-dir DIR] --output DIR [--format png|jpeg|webp] [--limit N] [--json]</c>: a
/// data set written out as an image folder, <c>DIR/train/CLASS/…</c> and <c>DIR/test/CLASS/…</c> (class folders named
/// <c>LABEL-NAME</c> so that their sorted order is the label order); <c>--dataset folder:DIR</c> reads it back with the same
/// pixels when the format is PNG. <c>--json</c> prints <c>{"output", "train_images", "test_images"}</c>.
/// </summary>
public static class DataCommand
{
    public static Command Create() => new("data", "Data set utilities.") { Export() };

    private static Command Export()
    {
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist | mnist | cifar10 | cifar100 | npy:… (uint8 images).", Required = true };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the data set's files." };
        var output = new Option<string>("--output") { Description = "The image folder to write (train/ and test/ inside).", Required = true };
        var format = new Option<string>("--format") { Description = "png (lossless) | jpeg | webp (quality 95).", DefaultValueFactory = _ => "png" };
        var limit = new Option<int?>("--limit") { Description = "Write only the first N images of each split." };
        var run = new RunOptions("Unused: exporting draws nothing at random.");
        var command = new Command("export", "Write a data set out as an image folder (train/ and test/, one sub-folder per class).") { dataset, dataDir, output, format, limit };
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var spec = DatasetSpec.Parse(parse.GetValue(dataset)!);
            if (spec.Kind == DatasetKind.Folder) throw new UserInputException($"--dataset {spec} is already an image folder.");
            string name = parse.GetValue(format)!;
            if (!ImageFolderWriter.Formats.TryGetValue(name, out var encoded))
                throw new UserInputException($"--format '{name}' is unknown: use png, jpeg or webp.");
            int? count = parse.GetValue(limit) is { } n ? CommonOptions.AtLeast(n, 1, "--limit") : null;
            string root = OutputPath.Folder(parse.GetValue(output)!);
            var reporter = new ImageFolderReporter(run.WantsBar(parse), run.WantsJson(parse));
            var written = new Dictionary<string, int>();
            foreach (var (split, kind) in new[] { ("train", DatasetSplitKind.Train), ("test", DatasetSplitKind.Test) })
            {
                var data = DatasetCatalog.Open(spec, parse.GetValue(dataDir), kind);
                string dir = Path.Combine(root, split);
                using var progress = reporter.StartDecoding($"writing {Math.Min(count ?? data.Count, data.Count):N0} {name} images of {data.Name} into {dir}", Math.Min(count ?? data.Count, data.Count));
                written[split] = ImageFolderWriter.Write(data, dir, encoded, count, EngineSettings.Threads, progress);
            }
            if (run.WantsJson(parse))
                Console.WriteLine(JsonSerializer.Serialize(new { output = Path.GetFullPath(root), train_images = written["train"], test_images = written["test"] }));
            else
                Console.WriteLine(root);
            return ExitCodes.Success;
        });
        return command;
    }
}
