using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Bench;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former bench supernet --space NAME [--preset P] [--arch FILE] [--batch-size B] [--min-seconds S] [--threads T] [--seed S] [--json]</c>: images
/// per second of a subnet's training step through the supernet vs through the extracted standalone model, and their
/// ratio (supernet step time over standalone step time, the median over adjacent pairs of steps; the goal is ≤ 1.15).
/// </summary>
public static class BenchSupernetCommand
{
    public static Command Create()
    {
        var space = new Option<string>("--space") { Description = "Search space (e.g. autoformer).", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Preset of the space (default: the architecture file's, else the space's default)." };
        var arch = new Option<string?>("--arch") { Description = "Architecture JSON file (see `former space sample`); default: the space's largest." };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 64 };
        var minSeconds = new Option<double>("--min-seconds") { Description = "Least time of the alternating timed steps (supernet, standalone, supernet, …).", DefaultValueFactory = _ => 4.0 };
        var run = new RunOptions("Seed of the supernet's random weights, the batch and its labels (default 0).");
        var command = new Command("supernet", "Images per second of a subnet's training step through its supernet vs as the extracted standalone model.")
        {
            space, preset, arch, batchSize, minSeconds,
        };
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            int batch = CommonOptions.BatchSize(parse.GetValue(batchSize));
            double seconds = parse.GetValue(minSeconds);
            if (!(seconds >= 0 && seconds <= 3600)) throw new UserInputException($"--min-seconds must be between 0 and 3600; got {seconds.ToString(CultureInfo.InvariantCulture)}.");
            string spaceName = parse.GetValue(space)!;
            Architecture? architecture = null;
            if (parse.GetValue(arch) is { } path)
            {
                if (!File.Exists(path)) throw new UserInputException($"The architecture file {path} does not exist.");
                architecture = Architecture.FromJson(File.ReadAllText(path), path);
            }
            var searchSpace = SearchSpaces.Create(spaceName, parse.GetValue(preset) ?? architecture?.Preset);
            if (architecture is not null)
            {
                try { architecture = searchSpace.Validate(architecture); }
                catch (UserInputException e) { throw new UserInputException($"{parse.GetValue(arch)}: {e.Message}", e); }
            }
            architecture ??= searchSpace.Largest();
            ulong seed = run.SeedOr(parse);
            var supernet = searchSpace.CreateSupernet(ModelOptions.For(searchSpace.DefaultInput, numClasses: 10) with { Seed = seed });
            var result = SupernetBenchmark.Measure(supernet, architecture, batch, seconds, seed: seed);
            if (run.WantsJson(parse))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    space = searchSpace.Name,
                    preset = searchSpace.Preset,
                    architecture = architecture.Key,
                    batch_size = batch,
                    threads = EngineSettings.Threads,
                    supernet_images_per_s = Math.Round(result.SupernetImagesPerSecond, 2),
                    standalone_images_per_s = Math.Round(result.StandaloneImagesPerSecond, 2),
                    ratio = Math.Round(result.Ratio, 3),
                }));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{architecture.Key}, batch {batch}, {EngineSettings.Threads} thread(s): supernet {result.SupernetImagesPerSecond:F1} images/s, standalone {result.StandaloneImagesPerSecond:F1} images/s; supernet step / standalone step = {result.Ratio:F3}."));
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
