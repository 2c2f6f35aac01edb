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
/// <c>former train --model NAME | --arch FILE | --init W --dataset SPEC [options]</c>: trains a model on real images, resumably;
/// writes <c>DIR/model.safetensors</c> (official names), <c>DIR/metrics.jsonl</c> and <c>DIR/checkpoint.safetensors</c>.
/// <c>--init W</c> starts from weights whose model card gives the model, input and class count unless given (an option
/// contradicting it is an error).
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var selection = new ModelSelection();
        var data = new DataOptions(defaultValSize: 0);
        var recipe = new TrainingRecipeOptions();
        var run = new RunOptions("Seed of weights, data order, augmentation and sampling (default 0).");
        var input = new Option<string?>("--input") { Description = "Model input as CxHxW (default: the --init weights' model card's, else the data's size; 1-channel data is repeated for 3-channel inputs)." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier outputs (default: the --init weights' model card's, else the data set's classes)." };
        var init = new Option<string?>("--init") { Description = $"Start from these weights ({WeightsKeyOption.Formats}) instead of a fresh initialisation; their model card gives the model, input and classes." };
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
            // Weights to start from describe their model: its name, input and classes default to their card's (and must agree with it).
            var initial = parse.GetValue(init) is { } initPath ? WeightsCard.Read(initPath, "--init weights") : null;
            var initCard = initial?.Card ?? new Inference.ModelCard();
            string source = initial?.Source ?? "";
            var entry = initial is null ? selection.Resolve(parse) : selection.Resolve(parse, initial);
            string dir = OutputPath.Folder(parse.GetValue(output) ?? Path.Combine("runs", entry.Name));
            if (!recipe.Resume(parse) && File.Exists(Path.Combine(dir, "checkpoint.safetensors")))
                throw new UserInputException($"{dir} already holds a training run; pass --resume to continue it or choose another --output.");
            ulong seed = run.SeedOr(parse);
            // An image folder is decoded at the model's input: --input, else the model's own default size.
            var given = Inference.ModelCard.Settle("--input", parse.GetValue(input) is { } text ? ProfileCommand.ParseInput(text) : (ModelInput?)null, initCard.Input, source);
            var splits = data.Open(parse, seed, given ?? entry.DefaultInput, run);
            var size = given ?? new ModelInput(splits.Train.Channels, splits.Train.Height, splits.Train.Width);
            int dataClasses = splits.Train.NumClasses;
            int classes = parse.GetValue(numClasses) is { } k ? CommonOptions.Classes(k, dataClasses) : dataClasses;
            if (initCard.NumClasses is { } initClasses)
            {
                classes = Inference.ModelCard.Settle("--num-classes", parse.GetValue(numClasses), initClasses, source) ?? initClasses;
                if (classes < dataClasses)
                    throw new UserInputException($"The --init weights {source} have {initClasses} classes (their model card) but {splits.Train.Name} has {dataClasses}; start from weights with at least {dataClasses} classes.");
            }
            int replicas = recipe.Replicas(parse);
            // One model per replica (each replica's rank only exists once the replicas run), all alike.
            VisionModel NewModel(ICommunicator ranks)
            {
                var model = ModelInputs.Build(entry, ModelOptions.For(size, classes) with { DropPathRate = recipe.DropPath(parse), Seed = seed }, recipe.BatchSize(parse), training: true);
                if (initial is not null) Inference.WeightsFile.Load(model, initial.Path, parse.GetValue(weightsKey));
                recipe.SynchronizeBatchNorms(parse, model, ranks);
                return model;
            }

            int batches = Math.Max(1, splits.Train.Count / recipe.BatchSize(parse));
            var options = recipe.Recipe(parse, batches);
            var loader = recipe.TrainLoader(parse, splits.Train, size, classes, options.LabelSmoothing, seed);
            var validation = splits.Validation is { } v ? DataLoader.ForEvaluation(v, recipe.BatchSize(parse), size, classes) : null;

            var announce = () => { if (world.Rank == 0) Console.Error.WriteLine($"training {entry.Name} at {size}, {classes} classes, on {splits.Train.Count} images of {splits.Train.Name} ({loader.BatchesPerEpoch} batches of {loader.BatchSize} per epoch, {options.Epochs} epochs) into {dir}"); };
            var (name, architecture) = parse.GetValue(selection.Model) is null && parse.GetValue(selection.Arch) is null
                ? (initCard.Model, initCard.Architecture)
                : selection.CardNames(parse);
            var card = data.Card(parse, splits, size, classes, seed).WithModel(name, architecture);
            var trainer = RunTrainer(run.WantsBar(parse), replicas, world,
                (progress, ranks) => new Trainer(NewModel(ranks), loader, validation, options, dir, progress, world: ranks) { Card = card }, recipe.Resume(parse), announce);
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

    /// <summary>
    /// Runs a trainer under a progress bar or log lines (rank 0 alone draws a bar) and returns it (a diverged run throws <see cref="TrainingDivergedException"/>: exit 1).
    /// A resume of a checkpoint with other settings is refused before <paramref name="beforeRun"/> (which announces the run, and
    /// may write its description) is called.
    /// </summary>
    internal static Trainer RunTrainer(bool bar, int replicas, ICommunicator world, Func<ITrainingProgress, ICommunicator, Trainer> create, bool resume,
        Action? beforeRun = null)
    {
        ITrainingProgress progress = bar && Cluster.World.Rank == 0 ? new ProgressBarProgress() : new LogLineProgress();
        Trainer Prepare(ICommunicator ranks)
        {
            var trainer = create(progress, ranks);
            if (resume) trainer.CheckResume();
            // Under mpirun every process runs it (it checks its rank itself); of in-process replicas, the first.
            if (replicas == 1 || ranks.Rank == 0) beforeRun?.Invoke();
            return trainer;
        }
        Trainer Train(Trainer trainer)
        {
            trainer.Run(resume);
            return trainer;
        }
        T Shown<T>(Func<T> work) => progress is ProgressBarProgress shown ? shown.Run(work) : work();

        // Replicas: every replica builds its own model and trainer on its own thread; rank 0's reports the progress.
        if (replicas > 1) return Shown(() => Replicas.Run(replicas, ranks => Train(Prepare(ranks)))[0]);
        // One process (or one MPI rank): a refused resume and the announcement come before the bar is drawn, as before replicas.
        var single = Prepare(world);
        return Shown(() => Train(single));
    }
}
