using System.CommandLine;
using System.Text.Json;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former extract --supernet DIR --arch FILE --output model.safetensors [--no-recalibrate-bn] [--bn-batches N] [--json]</c>: the
/// subnet's weights copied out of the supernet into the zoo's standalone model (official names), with its architecture file
/// beside it, loadable by <c>former eval/train --init/predict --arch</c>; <c>--json</c> prints <c>{"weights", "arch"}</c>.
/// Where the subnet has batch norm, its statistics are first re-estimated on exactly the batches <c>supernet eval</c> uses
/// (<see cref="BatchNormCalibration.Batches"/>, same count and seed), so <c>former eval</c> of the file scores what
/// <c>supernet eval</c> printed; <c>--no-recalibrate-bn</c> keeps the statistics the supernet accumulated in training.
/// </summary>
public static class ExtractCommand
{
    public static Command Create()
    {
        var supernetDir = new Option<string>("--supernet") { Description = "A `former supernet train` output directory.", Required = true };
        var arch = new Option<string>("--arch") { Description = "Architecture JSON of the supernet's space.", Required = true };
        var output = new Option<string>("--output") { Description = "Weights file to write (safetensors); the architecture goes beside it as <name>.arch.json.", Required = true };
        var noRecalibrate = new Option<bool>("--no-recalibrate-bn") { Description = "Keep the supernet's batch-norm statistics instead of re-estimating them as `supernet eval` does." };
        // Re-estimation used to be opt-in; scripts that still ask for it get what is now the default.
        var recalibrate = new Option<bool>("--recalibrate-bn") { Description = "Accepted for old scripts: re-estimating batch-norm statistics is the default.", Hidden = true };
        var bnBatches = new Option<int>("--bn-batches") { Description = "Training batches to re-estimate batch-norm statistics on (as `supernet eval --bn-batches`).", DefaultValueFactory = _ => BatchNormCalibration.DefaultBatches };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the data set's files (read only for a subnet with batch norm)." };
        var folders = new FolderOptions();
        var run = new RunOptions("Seed of the batches batch-norm statistics are re-estimated on (default: the supernet's seed, as `supernet eval`).");
        var command = new Command("extract", "Copy a subnet out of a trained supernet into a standalone model file.") { supernetDir, arch, output, noRecalibrate, recalibrate, bnBatches, dataDir };
        folders.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            if (parse.GetValue(noRecalibrate) && parse.GetValue(recalibrate))
                throw new UserInputException("--recalibrate-bn and --no-recalibrate-bn contradict each other; re-estimating is the default, so pass neither or --no-recalibrate-bn.");
            string path = OutputPath.File(parse.GetValue(output)!);
            OutputPath.File(ArchPathBeside(path), "The architecture file beside --output");
            var folder = SupernetDirectory.Load(parse.GetValue(supernetDir)!);
            var architecture = folder.ReadArchitecture(parse.GetValue(arch)!);
            int batches = CommonOptions.AtLeast(parse.GetValue(bnBatches), 1, "--bn-batches");
            var supernet = folder.LoadSupernet();
            supernet.Activate(architecture);
            var model = supernet.Extract(architecture);
            // Only a subnet with batch norm needs the data set: a LayerNorm-only subnet is extracted without opening it.
            if (!parse.GetValue(noRecalibrate) && BatchNormCalibration.HasRunningStatistics(model))
            {
                var splits = SupernetData.Open(folder, null, parse.GetValue(dataDir), folders, parse, run);
                BatchNormCalibration.Recalibrate(supernet, BatchNormCalibration.Batches(splits.Train, folder.Input, folder.NumClasses, run.SeedOr(parse, folder.Seed)), batches);
                model = supernet.Extract(architecture);
                Console.Error.WriteLine($"re-estimated the subnet's batch-norm statistics on {batches} batches of {splits.Train.Name} training images, as `supernet eval` does (--no-recalibrate-bn keeps the supernet's)");
            }
            // The supernet's card (classes, normalisation, data) naming this subnet; a supernet without one still gives its input and classes.
            var card = SupernetData.Card(folder) with
            {
                Input = folder.Input, NumClasses = folder.NumClasses, Dataset = folder.Dataset.Length > 0 ? folder.Dataset : null, ValSize = folder.ValSize, SplitSeed = folder.Seed,
            };
            card.WithModel(null, architecture.ToJson()).Save(model, path);
            string archPath = ArchPathBeside(path);
            AtomicFile.WriteAllText(archPath, architecture.ToJson() + "\n");
            if (run.WantsJson(parse))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { weights = Path.GetFullPath(path), arch = archPath }));
            }
            else
            {
                Console.WriteLine(path);
                Console.WriteLine(archPath);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Where the architecture of weights <paramref name="weightsPath"/> goes: <c>dir/name.arch.json</c>.</summary>
    internal static string ArchPathBeside(string weightsPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weightsPath))!, Path.GetFileNameWithoutExtension(weightsPath) + ".arch.json");
}
