using System.CommandLine;
using FormerSearch.Cli.Progress;
using FormerSearch.Data;
using FormerSearch.Engine;
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
        var input = new Option<string?>("--input") { Description = "Model input as CxHxW (default: the data's size; 1-channel data is repeated for 3-channel inputs)." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier outputs (default: the data set's classes)." };
        var init = new Option<string?>("--init") { Description = "Start from these weights (safetensors, official names) instead of a fresh initialisation." };
        var output = new Option<string?>("--output") { Description = "Output directory (default: runs/<model>)." };
        var command = new Command("train", "Train a model on an image data set (progress, checkpoints, exact resume).") { input, numClasses, init, output };
        selection.AddTo(command);
        data.AddTo(command);
        recipe.AddTo(command);
        command.SetAction(parse =>
        {
            EngineSettings.Threads = CommonOptions.AtLeast(parse.GetValue(recipe.Threads), 1, "--threads");
            var entry = selection.Resolve(parse);
            ulong seed = recipe.Seed(parse);
            var splits = data.Open(parse, seed);
            var size = ModelInputs.Choose(parse.GetValue(input), splits.Train);
            int classes = parse.GetValue(numClasses) is { } k ? CommonOptions.AtLeast(k, splits.Train.NumClasses, "--num-classes") : splits.Train.NumClasses;
            var model = ModelInputs.Build(entry, ModelOptions.For(size, classes) with { DropPathRate = recipe.DropPath(parse), Seed = seed });
            if (parse.GetValue(init) is { } weights)
            {
                if (!File.Exists(weights)) throw new UserInputException($"--init weights '{weights}' do not exist.");
                model.LoadSafeTensors(weights, strict: true);
            }

            int batches = Math.Max(1, splits.Train.Count / recipe.BatchSize(parse));
            var options = recipe.Recipe(parse, batches);
            var loader = recipe.TrainLoader(parse, splits.Train, size, classes, options.LabelSmoothing);
            var validation = splits.Validation is { } v ? DataLoader.ForEvaluation(v, recipe.BatchSize(parse), size, classes) : null;
            string dir = parse.GetValue(output) ?? Path.Combine("runs", entry.Name);
            if (!recipe.Resume(parse) && File.Exists(Path.Combine(dir, "checkpoint.safetensors")))
                throw new UserInputException($"{dir} already holds a training run; pass --resume to continue it or choose another --output.");

            Console.Error.WriteLine($"training {entry.Name} at {size}, {classes} classes, on {splits.Train.Count} images of {splits.Train.Name} ({loader.BatchesPerEpoch} batches of {loader.BatchSize} per epoch, {options.Epochs} epochs) into {dir}");
            RunTrainer(recipe.WantsBar(parse), progress => new Trainer(model, loader, validation, options, dir, progress), recipe.Resume(parse));
            Console.WriteLine(Path.Combine(dir, "model.safetensors"));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Runs a trainer under a progress bar or log lines; a diverged run becomes a one-line failure (exit 1).</summary>
    internal static void RunTrainer(bool bar, Func<ITrainingProgress, Trainer> create, bool resume)
    {
        try
        {
            if (bar)
            {
                var progress = new ProgressBarProgress();
                var trainer = create(progress);
                progress.Run(() => trainer.Run(resume));
            }
            else
            {
                create(new LogLineProgress()).Run(resume);
            }
        }
        catch (TrainingDivergedException e)
        {
            throw new TrainingFailedException(e.Message, e);
        }
    }
}
