using System.CommandLine;
using System.Text.Json;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Inference;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Supernets;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former supernet import --space NAME [--preset P] --weights FILE [--weights-key K] [--dataset SPEC] [--val-size N] [--seed S] --output DIR [--json]</c>:
/// a supernet trained elsewhere — AutoFormer's official <c>supernet-tiny.pth</c>, say, whose parameter names are ours — made
/// into a supernet folder, so that <c>supernet eval</c>, <c>extract</c>, <c>search --supernet</c> and <c>rank-study</c> take it
/// as one <c>supernet train</c> wrote. The weights must fit the space's supernet exactly; the class count comes from their head.
/// The weights are written with a model card of the supernet's input, classes, data set and held-out split, which extracted subnets inherit.
/// </summary>
public static class SupernetImportCommand
{
    public static Command Create()
    {
        var space = new Option<string>("--space") { Description = $"Search space of the weights: {string.Join(" | ", SearchSpaces.Names)}.", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Preset of the space whose supernet the weights are (e.g. tiny for AutoFormer's supernet-tiny.pth; default: mini)." };
        var weights = new Option<string>("--weights") { Description = $"The supernet's weights: {WeightsKeyOption.Formats}.", Required = true };
        var weightsKey = WeightsKeyOption.Create();
        var dataset = new Option<string?>("--dataset") { Description = "Data set later stages evaluate subnets on (default: none; then pass --dataset to `supernet eval`)." };
        var valSize = new Option<int>("--val-size") { Description = "Training images to hold out for ranking subnets (default 0: an imported supernet saw every training image).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output") { Description = "The supernet folder to write: supernet.safetensors and space.json.", Required = true };
        var run = new RunOptions("Seed of the held-out split and of later batch-norm re-estimation (default 0).");
        var command = new Command("import", "Make a supernet folder from weights trained elsewhere (e.g. AutoFormer's official supernet checkpoint).")
        {
            space, preset, weights, weightsKey, dataset, valSize, output,
        };
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var searchSpace = SearchSpaces.Create(parse.GetValue(space)!, parse.GetValue(preset));
            string path = parse.GetValue(weights)!;
            if (!File.Exists(path)) throw new UserInputException($"Weights file '{path}' does not exist.");
            if (parse.GetValue(dataset) is { } spec) DatasetSpec.Parse(spec);
            int classes = WeightsFile.HeadClasses(path)
                ?? throw new UserInputException($"'{path}' has no 2-D head.weight to read the class count from, so it is not the {searchSpace.Name} supernet's weights.");
            var folder = new SupernetDirectory(OutputPath.Folder(parse.GetValue(output)!), searchSpace.Name, searchSpace.Preset, searchSpace.DefaultInput, classes,
                SamplerKind.Uniform, parse.GetValue(dataset) ?? "", CommonOptions.AtLeast(parse.GetValue(valSize), 0, "--val-size"), run.SeedOr(parse));
            if (File.Exists(folder.WeightsPath)) throw new UserInputException($"{folder.Path} already holds a supernet; choose another --output.");
            var supernet = searchSpace.CreateSupernet(folder.ModelOptions);
            supernet.LoadWeights(path, strict: true, parse.GetValue(weightsKey));
            folder.Save();
            // What is known without opening the data set: the supernet's input and classes, and the data and split later stages use.
            new ModelCard
            {
                Input = folder.Input, NumClasses = classes, Dataset = folder.Dataset.Length > 0 ? DatasetSpec.Parse(folder.Dataset).ToString() : null,
                ValSize = folder.ValSize, SplitSeed = folder.Seed,
            }.Save(supernet, folder.WeightsPath);
            if (run.WantsJson(parse))
                Console.WriteLine(JsonSerializer.Serialize(new { output = Path.GetFullPath(folder.Path), space = folder.Space, preset = folder.Preset, num_classes = classes, parameters = supernet.ParameterCount() }));
            else
                Console.WriteLine(folder.Path);
            return ExitCodes.Success;
        });
        return command;
    }
}
