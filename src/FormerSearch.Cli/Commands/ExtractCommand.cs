using System.CommandLine;
using System.Text.Json;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former extract --supernet DIR --arch FILE --output model.safetensors [--recalibrate-bn [--bn-batches N]] [--json]</c>: the
/// subnet's weights copied out of the supernet into the zoo's standalone model (official names), with its architecture file
/// beside it, loadable by <c>former eval/train --init/predict --arch</c>; <c>--json</c> prints <c>{"weights", "arch"}</c>.
/// </summary>
public static class ExtractCommand
{
    public static Command Create()
    {
        var supernetDir = new Option<string>("--supernet") { Description = "A `former supernet train` output directory.", Required = true };
        var arch = new Option<string>("--arch") { Description = "Architecture JSON of the supernet's space.", Required = true };
        var output = new Option<string>("--output") { Description = "Weights file to write (safetensors); the architecture goes beside it as <name>.arch.json.", Required = true };
        var recalibrate = new Option<bool>("--recalibrate-bn") { Description = "Re-estimate batch-norm statistics on the supernet's training data first (subnets with BN)." };
        var bnBatches = new Option<int>("--bn-batches") { Description = "Batches for --recalibrate-bn.", DefaultValueFactory = _ => BatchNormCalibration.DefaultBatches };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the data set's files (for --recalibrate-bn)." };
        var folders = new FolderOptions();
        var run = new RunOptions("Seed of the batches --recalibrate-bn re-estimates statistics on (default: the supernet's seed).");
        var command = new Command("extract", "Copy a subnet out of a trained supernet into a standalone model file.") { supernetDir, arch, output, recalibrate, bnBatches, dataDir };
        folders.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var folder = SupernetDirectory.Load(parse.GetValue(supernetDir)!);
            var architecture = folder.ReadArchitecture(parse.GetValue(arch)!);
            string path = parse.GetValue(output)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } outDir && !Directory.Exists(outDir))
                throw new UserInputException($"Output '{path}' cannot be written: its directory does not exist.");
            var supernet = folder.LoadSupernet();
            supernet.Activate(architecture);
            if (parse.GetValue(recalibrate))
            {
                var splits = SupernetData.Open(folder, null, parse.GetValue(dataDir), folders, parse, run);
                var calibration = DataLoader.ForTraining(splits.Train, 128, Augmentation.None, folder.Input, folder.NumClasses, run.SeedOr(parse, folder.Seed));
                BatchNormCalibration.Recalibrate(supernet, calibration, CommonOptions.AtLeast(parse.GetValue(bnBatches), 1, "--bn-batches"));
            }
            var model = supernet.Extract(architecture);
            // The supernet's card (classes, normalisation, data) naming this subnet; a supernet without one still gives its input and classes.
            var card = SupernetData.Card(folder) with { Input = folder.Input, NumClasses = folder.NumClasses, Dataset = folder.Dataset };
            card.WithModel(null, architecture.ToJson()).Save(model, path);
            string archPath = ArchPathBeside(path);
            File.WriteAllText(archPath + ".tmp", architecture.ToJson() + "\n");
            File.Move(archPath + ".tmp", archPath, overwrite: true);
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
