using System.CommandLine;
using System.Text.Json.Nodes;
using FormerSearch.Cli.Progress;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Engine.Distributed;
using FormerSearch.Models;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former train --model NAME | --arch FILE --dataset SPEC [options]</c>: trains a model on real images, resumably;
/// writes <c>DIR/model.safetensors</c> (official names), <c>DIR/metrics.jsonl</c> and <c>DIR/checkpoint.safetensors</c>.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var selection = new ModelSelection();
        var data = new DataOptions(defaultValSize: 0);
        var recipe = new TrainingRecipeOptions();
        var run = new RunOptions("Seed of weights, data order, augmentation and sampling (default 0).");
        var input = new Option<string?>("--input") { Description = "Model input as CxHxW (default: the data's size; 1-channel data is repeated for 3-channel inputs)." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier outputs (default: the data set's classes)." };
        var init = new Option<string?>("--init") { Description = $"Start from these weights ({WeightsKeyOption.Formats}) instead of a fresh initialisation." };
        var weightsKey = WeightsKeyOption.Create();
        var output = new Option<string?>("--output") { Description = "Output directory (default: runs/<model>)." };
        var command = new Command("train", "Train a model on an image data set (progress, checkpoints, exact resume).") { input, numClasses, init, weightsKey, output };
        selection.AddTo(command);
        data.AddTo(command);
        recipe.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var world = recipe.Ranks(parse);
            var entry = selection.Resolve(parse);
            ulong seed = run.SeedOr(parse);
            // An image folder is decoded at the model's input: --input, else the model's own default size.
            var given = parse.GetValue(input) is { } text ? ProfileCommand.ParseInput(text) : (ModelInput?)null;
            var splits = data.Open(parse, seed, given ?? entry.DefaultInput, run);
            var size = given ?? new ModelInput(splits.Train.Channels, splits.Train.Height, splits.Train.Width);
            int classes = parse.GetValue(numClasses) is { } k ? CommonOptions.AtLeast(k, splits.Train.NumClasses, "--num-classes") : splits.Train.NumClasses;
            var model = ModelInputs.Build(entry, ModelOptions.For(size, classes) with { DropPathRate = recipe.DropPath(parse), Seed = seed });
            if (parse.GetValue(init) is { } weights)
            {
                if (!File.Exists(weights)) throw new UserInputException($"--init weights '{weights}' do not exist.");
                model.LoadWeights(weights, strict: true, parse.GetValue(weightsKey));
            }
            recipe.SynchronizeBatchNorms(parse, model, world);

            int batches = Math.Max(1, splits.Train.Count / recipe.BatchSize(parse));
            var options = recipe.Recipe(parse, batches);
            var loader = recipe.TrainLoader(parse, splits.Train, size, classes, options.LabelSmoothing, seed);
            var validation = splits.Validation is { } v ? DataLoader.ForEvaluation(v, recipe.BatchSize(parse), size, classes) : null;
            string dir = parse.GetValue(output) ?? Path.Combine("runs", entry.Name);
            if (!recipe.Resume(parse) && File.Exists(Path.Combine(dir, "checkpoint.safetensors")))
                throw new UserInputException($"{dir} already holds a training run; pass --resume to continue it or choose another --output.");

            if (world.Rank == 0) Console.Error.WriteLine($"training {entry.Name} at {size}, {classes} classes, on {splits.Train.Count} images of {splits.Train.Name} ({loader.BatchesPerEpoch} batches of {loader.BatchSize} per epoch, {options.Epochs} epochs) into {dir}");
            var (name, architecture) = selection.CardNames(parse);
            var card = data.Card(parse, splits, size, classes, seed).WithModel(name, architecture);
            var trainer = RunTrainer(run.WantsBar(parse), progress => new Trainer(model, loader, validation, options, dir, progress, world: world) { Card = card }, recipe.Resume(parse));
            PrintOutcome(trainer, run.WantsJson(parse), splits.Train.Skipped.Count);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// What a finished training run prints: the weights' path, or with <paramref name="json"/> one object
    /// <c>{"output", "weights", "metrics", "last_epoch", "skipped_images"}</c> (the last line of <c>metrics.jsonl</c>; the
    /// unreadable files an image folder skipped).
    /// </summary>
    internal static void PrintOutcome(Trainer trainer, bool json, int skippedImages)
    {
        if (!trainer.IsLeader) return;
        if (!json)
        {
            Console.WriteLine(trainer.ModelPath);
            return;
        }
        string? last = File.Exists(trainer.MetricsPath) ? File.ReadLines(trainer.MetricsPath).LastOrDefault(l => l.Length > 0) : null;
        Console.WriteLine(new JsonObject
        {
            ["output"] = Path.GetFullPath(Path.GetDirectoryName(trainer.ModelPath)!),
            ["weights"] = Path.GetFullPath(trainer.ModelPath),
            ["metrics"] = Path.GetFullPath(trainer.MetricsPath),
            ["last_epoch"] = last is null ? null : JsonNode.Parse(last),
            ["skipped_images"] = skippedImages,
        }.ToJsonString());
    }

    /// <summary>Runs a trainer under a progress bar or log lines (rank 0 only) and returns it (a diverged run throws <see cref="TrainingDivergedException"/>: exit 1).</summary>
    internal static Trainer RunTrainer(bool bar, Func<ITrainingProgress, Trainer> create, bool resume)
    {
        if (!bar || Cluster.World.Rank != 0)
        {
            var plain = create(new LogLineProgress());
            plain.Run(resume);
            return plain;
        }
        var progress = new ProgressBarProgress();
        var trainer = create(progress);
        progress.Run(() => trainer.Run(resume));
        return trainer;
    }
}
