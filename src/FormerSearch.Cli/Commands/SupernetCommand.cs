using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Engine.Distributed;
using FormerSearch.Pipeline;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former supernet train --space NAME [--preset P] [--sampler S] [--distill] --dataset SPEC [training options] --output DIR [--resume]</c> and
/// <c>former supernet eval --supernet DIR --arch FILE [--split val|test] [--bn-batches N] [--json]</c>, and
/// <c>former supernet import</c> (<see cref="SupernetImportCommand"/>).
/// </summary>
public static class SupernetCommand
{
    public static Command Create() => new("supernet", "Train a weight-sharing supernet and evaluate subnets with inherited weights.") { Train(), Eval(), SupernetImportCommand.Create() };

    /// <summary><c>--head-splits</c>, for <c>supernet train</c> and <c>search</c>.</summary>
    public static Option<HeadSplitWeights?> HeadSplitsOption() => KindOption.Create("--head-splits",
        "GLiT supernet: whether a block's head splits (g global + l local heads) have weights of their own or share one set of every head", HeadSplitWeights.Own);

    private static Command Train()
    {
        const SamplerKind defaultSampler = SamplerKind.Uniform;
        var space = new Option<string>("--space") { Description = $"Search space: {string.Join(" | ", SearchSpaces.Names)}.", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Preset of the space (default: mini)." };
        var sampler = KindOption.Create("--sampler", "How a step picks its subnets", defaultSampler);
        var distill = new Option<bool>("--distill")
        {
            Description = "In-place distillation (BigNAS): each step's largest subnet learns from the labels, its other subnets from the largest one's predictions (sandwich and hybrid samplers).",
        };
        var headSplits = HeadSplitsOption();
        var output = new Option<string>("--output") { Description = "Output directory: supernet.safetensors, space.json, checkpoint, metrics.", Required = true };
        // The held-out images a later `former search --supernet` ranks subnets on: as many as the search holds out itself.
        var data = new DataOptions(defaultValSize: SearchPreset.Default.Settings.ValSize);
        var recipe = new TrainingRecipeOptions();
        var run = new RunOptions("Seed of weights, data order, augmentation, sampling and the held-out split (default 0).");
        var command = new Command("train", "Train a supernet: each step activates subnets by the sampling rule; progress, checkpoints and exact resume as `former train`.")
        {
            space, preset, sampler, distill, headSplits, output,
        };
        data.AddTo(command);
        recipe.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var world = recipe.Ranks(parse);
            var searchSpace = SearchSpaces.Create(parse.GetValue(space)!, parse.GetValue(preset));
            string outputDir = OutputPath.Folder(parse.GetValue(output)!);
            var kind = parse.GetValue(sampler) ?? defaultSampler;
            SubnetSampler.CheckDistillation(kind, parse.GetValue(distill));
            var splitWeights = parse.GetValue(headSplits) ?? HeadSplitWeights.Own;
            searchSpace.CheckHeadSplits(splitWeights);
            ulong seed = run.SeedOr(parse);
            var splits = data.Open(parse, seed, searchSpace.DefaultInput, run);
            var folder = new SupernetDirectory(outputDir, searchSpace.Name, searchSpace.Preset, searchSpace.DefaultInput,
                splits.Train.NumClasses, kind, parse.GetValue(data.Dataset)!, parse.GetValue(data.ValSize), seed) { Distill = parse.GetValue(distill), HeadSplits = splitWeights };
            if (!recipe.Resume(parse) && File.Exists(Path.Combine(folder.Path, "checkpoint.safetensors")))
                throw new UserInputException($"{folder.Path} already holds a supernet run; pass --resume to continue it or choose another --output.");
            // A resume with other settings is refused before space.json (or anything else) is rewritten.
            if (recipe.Resume(parse) && File.Exists(Path.Combine(folder.Path, SupernetDirectory.SpaceFile))
                && SupernetDirectory.Load(folder.Path).FirstDifference(folder) is { } changed)
                throw new UserInputException($"{folder.Path} holds a supernet trained with {changed}; resume with the same settings or choose another --output.");
            Models.MemoryBudget.CheckSupernet(searchSpace, folder.ModelOptions, recipe.BatchSize(parse));
            int replicas = recipe.Replicas(parse);
            int batches = Math.Max(1, splits.Train.Count / recipe.BatchSize(parse));
            var options = recipe.Recipe(parse, batches);
            var loader = recipe.TrainLoader(parse, splits.Train, folder.Input, folder.NumClasses, options.LabelSmoothing, seed);
            // Rank 0 alone writes space.json and announces the run (after a resume's settings were checked).
            var begin = () =>
            {
                if (world.Rank != 0) return;
                folder.Save();
                Console.Error.WriteLine($"training the {searchSpace.Name} ({searchSpace.Preset}) supernet with {folder.TrainingRule} on {splits.Train.Count} images of {splits.Train.Name}, {options.Epochs} epochs, into {folder.Path}");
            };
            // One supernet per replica (each replica's rank only exists once the replicas run), all alike.
            Trainer NewTrainer(ITrainingProgress progress, ICommunicator ranks)
            {
                var supernet = searchSpace.CreateSupernet(folder.ModelOptions with { DropPathRate = recipe.DropPath(parse), Seed = seed }, folder.HeadSplits);
                recipe.SynchronizeBatchNorms(parse, supernet, ranks);
                return new Trainer(supernet, loader, null, options, folder.Path, progress, new SubnetSampler(supernet, kind, seed, folder.Distill), ranks)
                {
                    WeightsFileName = SupernetDirectory.WeightsFile,
                    // The data's card (no model): extract and search read the classes, normalisation and test split from it.
                    Card = data.Card(parse, splits, folder.Input, folder.NumClasses, seed),
                };
            }
            var trainer = TrainCommand.RunTrainer(run.WantsBar(parse), replicas, world, NewTrainer, recipe.Resume(parse), begin);
            TrainCommand.PrintOutcome(trainer, run.WantsJson(parse), splits.Train.Skipped.Count);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Eval()
    {
        var supernetDir = new Option<string>("--supernet") { Description = "A `former supernet train` output directory.", Required = true };
        var arch = new Option<string>("--arch") { Description = "Architecture JSON of the supernet's space (see `former space sample`).", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = "Data set (default: the one the supernet was trained on)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the data set's files." };
        var split = new Option<string>("--split") { Description = "val (the images held out from supernet training) | test.", DefaultValueFactory = _ => "val" };
        var bnBatches = new Option<int>("--bn-batches") { Description = "Training batches to re-estimate batch-norm statistics on (subnets with BN).", DefaultValueFactory = _ => BatchNormCalibration.DefaultBatches };
        var run = new RunOptions("Seed of the batches batch-norm statistics are re-estimated on (default: the supernet's seed).");
        var folders = new FolderOptions();
        var command = new Command("eval", "Accuracy of a subnet with the weights it inherits from a trained supernet.") { supernetDir, arch, dataset, dataDir, split, bnBatches };
        folders.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var folder = SupernetDirectory.Load(parse.GetValue(supernetDir)!);
            var architecture = folder.ReadArchitecture(parse.GetValue(arch)!);
            var supernet = folder.LoadSupernet();
            var splits = SupernetData.Open(folder, parse.GetValue(dataset), parse.GetValue(dataDir), folders, parse, run);
            string which = parse.GetValue(split)!;
            var images = which switch
            {
                "val" => splits.Validation ?? throw new UserInputException($"The supernet in {folder.Path} held out no images (val_size 0); use --split test."),
                "test" => splits.Test,
                _ => throw new UserInputException($"--split '{which}' is unknown: use val or test."),
            };
            var result = InheritedAccuracy.Evaluate(supernet, architecture,
                DataLoader.ForEvaluation(images, 256, folder.Input, folder.NumClasses),
                BatchNormCalibration.Batches(splits.Train, folder.Input, folder.NumClasses, run.SeedOr(parse, folder.Seed)),
                CommonOptions.AtLeast(parse.GetValue(bnBatches), 0, "--bn-batches"));
            if (run.WantsJson(parse))
                Console.WriteLine(JsonSerializer.Serialize(new { arch = architecture.Key, split = which, images = result.Count, top1 = result.Top1, top5 = result.Top5, loss = result.Loss }));
            else
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{architecture.Key} on {images.Name} {which}: top-1 {100 * result.Top1:F2}%, top-5 {100 * result.Top5:F2}%, loss {result.Loss:F4}"));
            return ExitCodes.Success;
        });
        return command;
    }
}
