using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Bench;
using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;
using FormerSearch.Models;
using SkiaSharp;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench data [--images N] [--input CxHxW] [--folder DIR] [--train-steps S] [--model NAME] [--threads T] [--json]</c>: the
/// decode-and-cache rate of N synthetic 256×256 JPEGs at the input size, and the Fashion-MNIST training set read as a PNG
/// image folder (its decoded cache) against the IDX files: one loader epoch, and S training steps of the model, each the best
/// of two runs in the order IDX, cache, cache, IDX. <c>--json</c>: <c>{"decode_images_per_s", "loader_idx_s", "loader_cache_s", "loader_ratio",
/// "train_idx_s", "train_cache_s", "train_ratio", …}</c> (ratios: cache over IDX).
/// </summary>
public static class BenchDataCommand
{
    public static Command Create()
    {
        var images = new Option<int>("--images") { Description = "Synthetic 256x256 JPEGs to decode (10 to 100,000).", DefaultValueFactory = _ => 2000 };
        var input = new Option<string>("--input") { Description = "Decode size of the JPEGs.", DefaultValueFactory = _ => "3x224x224" };
        var folder = new Option<string?>("--folder") { Description = "Fashion-MNIST as a PNG image folder (scripts/fashion-mnist-folder.sh); default: written into a temporary folder first." };
        var steps = new Option<int>("--train-steps") { Description = "Training steps timed from each source (0: none).", DefaultValueFactory = _ => 100 };
        var model = new Option<string>("--model") { Description = "Model trained in the epoch comparison.", DefaultValueFactory = _ => "poolformer_mini" };
        var run = new RunOptions("Seed of the synthetic images and of training (default 0).");
        var command = new Command("data", "Decode-and-cache rate of JPEG folders, and an epoch from a folder's decoded cache vs from IDX files.") { images, input, folder, steps, model };
        run.AddTo(command);
        command.SetAction(parse =>
        {
            int threads = run.ApplyThreads(parse);
            ulong seed = run.SeedOr(parse);
            int count = CommonOptions.InRange(parse.GetValue(images), 10, 100_000, "--images");
            int trainSteps = CommonOptions.InRange(parse.GetValue(steps), 0, 1_000_000, "--train-steps");
            var size = ProfileCommand.ParseInput(parse.GetValue(input)!);
            string scratch = Directory.CreateTempSubdirectory("former-bench-data-").FullName;
            try
            {
                void Log(string line) { if (!run.WantsJson(parse)) Console.Error.WriteLine(line); }
                Log($"writing {count} synthetic 256x256 JPEGs …");
                DataBenchmark.WriteJpegs(Path.Combine(scratch, "jpegs"), count, 256, seed, threads);
                double decodeRate = DataBenchmark.DecodeRate(Path.Combine(scratch, "jpegs"), size, Path.Combine(scratch, "jpeg-cache"), threads);
                Log(string.Create(CultureInfo.InvariantCulture, $"decode and cache at {size}: {decodeRate:F0} images/s on {threads} thread(s)"));

                var idx = DatasetCatalog.Open(DatasetSpec.Parse("fashion-mnist"), null, DatasetSplitKind.Train);
                string fashion = parse.GetValue(folder) ?? Path.Combine(scratch, "fashion-mnist");
                if (parse.GetValue(folder) is null)
                {
                    Log("writing Fashion-MNIST's training set as PNG files …");
                    ImageFolderWriter.Write(idx, Path.Combine(fashion, "train"), SKEncodedImageFormat.Png, null, threads);
                    ImageFolderWriter.Write(DatasetCatalog.Open(DatasetSpec.Parse("fashion-mnist"), null, DatasetSplitKind.Test), Path.Combine(fashion, "test"), SKEncodedImageFormat.Png, 100, threads);
                }
                var options = new ImageFolderOptions { Input = new ModelInput(1, 28, 28), CacheDirectory = Path.Combine(scratch, "fashion-cache"), Threads = threads };
                var cached = DataSplits.Open(DatasetSpec.Parse($"folder:{fashion}"), null, 0, seed, options).Train;
                DataLoader Loader(ImageDataset data) => DataLoader.ForTraining(data, 128, Augmentation.Default(idx), new ModelInput(1, 28, 28), 10, seed);
                var (loaderIdx, loaderCache) = BestOfTwo(() => DataBenchmark.LoaderEpochSeconds(Loader(idx)), () => DataBenchmark.LoaderEpochSeconds(Loader(cached)));
                Log(string.Create(CultureInfo.InvariantCulture, $"loader epoch (60,000 images, batch 128): IDX {loaderIdx:F2} s, decoded cache {loaderCache:F2} s, ratio {loaderCache / loaderIdx:F3}"));
                double trainIdx = 0, trainCache = 0;
                if (trainSteps > 0)
                {
                    string name = parse.GetValue(model)!;
                    (trainIdx, trainCache) = BestOfTwo(() => DataBenchmark.TrainingSeconds(name, Loader(idx), trainSteps, seed), () => DataBenchmark.TrainingSeconds(name, Loader(cached), trainSteps, seed));
                    Log(string.Create(CultureInfo.InvariantCulture, $"{trainSteps} training steps of {name}: IDX {trainIdx:F2} s, decoded cache {trainCache:F2} s, ratio {trainCache / trainIdx:F3}"));
                }
                if (run.WantsJson(parse))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        threads, decode_images = count, decode_input = size.ToString(), decode_images_per_s = Math.Round(decodeRate, 1),
                        loader_idx_s = Math.Round(loaderIdx, 3), loader_cache_s = Math.Round(loaderCache, 3), loader_ratio = Math.Round(loaderCache / loaderIdx, 3),
                        train_steps = trainSteps, train_idx_s = Math.Round(trainIdx, 3), train_cache_s = Math.Round(trainCache, 3),
                        train_ratio = trainSteps > 0 ? Math.Round(trainCache / trainIdx, 3) : (double?)null,
                    }));
                }
                return ExitCodes.Success;
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        });
        return command;
    }

    // Each measurement twice in the order A, B, B, A, so that a drift of the machine's load hits both alike; the best of each.
    private static (double First, double Second) BestOfTwo(Func<double> first, Func<double> second)
    {
        double a = first(), b = second();
        b = Math.Min(b, second());
        a = Math.Min(a, first());
        return (a, b);
    }
}
