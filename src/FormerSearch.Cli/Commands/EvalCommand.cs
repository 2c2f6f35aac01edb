using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former eval [--model NAME | --arch FILE] --weights W [--dataset SPEC] [--split test|val] [--json]</c>: top-1, top-5 and
/// loss of eval-mode forwards; <c>--json</c> prints <c>{"model", "dataset", "split", "images", "top1", "top5", "loss", "nonfinite_images"}</c>
/// (<c>loss</c> is null when it is NaN or infinite: JSON has no such numbers). Images whose logits hold a NaN or an infinity
/// count as wrong, and a warning on stderr says how many there were.
/// The weights' model card supplies what is not given — the model, input, class count, data set, and the held-out split
/// (<c>--val-size</c>, <c>--seed</c>, <c>--test-size</c>) — and an option that contradicts it is an error; a <c>former train</c>
/// checkpoint is evaluated as the model it holds.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var selection = new ModelSelection();
        var data = new DataOptions(defaultValSize: 0, fromModelCard: true);
        var weights = new Option<string>("--weights") { Description = $"Weights: {WeightsKeyOption.Formats}, e.g. a `former train` model.safetensors.", Required = true };
        var weightsKey = WeightsKeyOption.Create();
        var split = new Option<string>("--split") { Description = "test | val (the images training held out: --val-size and --seed default to the weights' model card's).", DefaultValueFactory = _ => "test" };
        var input = new Option<string?>("--input") { Description = "Model input as CxHxW (default: the weights' model card's, else the data's size)." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier outputs (default: the weights' model card's, else the rows of the weights' head, else the data set's classes)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 256 };
        var run = new RunOptions("Seed of the held-out split: the one training used (default: the weights' model card's, else 0).");
        var command = new Command("eval", "Accuracy and loss of a model with its weights on a data set's test or held-out split.")
        {
            weights, weightsKey, split, input, numClasses, batchSize,
        };
        selection.AddTo(command);
        data.AddTo(command);
        run.AddTo(command);
        command.SetAction(parse =>
        {
            run.ApplyThreads(parse);
            var carded = WeightsCard.Read(parse.GetValue(weights)!);
            var (card, source) = (carded.Card, carded.Source);
            var entry = selection.Resolve(parse, carded);
            var given = Inference.ModelCard.Settle("--input", parse.GetValue(input) is { } text ? ProfileCommand.ParseInput(text) : (ModelInput?)null, card.Input, source);
            var splits = data.OpenFor(parse, card, source, parse.GetValue(run.Seed), given ?? entry.DefaultInput, run);
            string which = parse.GetValue(split)!;
            var images = which switch
            {
                "test" => splits.Test,
                "val" => splits.Validation ?? throw new UserInputException(card.ValSize is null
                    ? $"--split val needs the --val-size N (and the --seed) that training held out: the weights {source} carry no model card saying it."
                    : $"--split val has no images: the model card of {source} says training held out none (val_size 0)."),
                _ => throw new UserInputException($"--split '{which}' is unknown: use test or val."),
            };
            var size = given ?? new ModelInput(images.Channels, images.Height, images.Width);
            int classes = Inference.ModelCard.Settle("--num-classes", parse.GetValue(numClasses) is { } k ? CommonOptions.Classes(k) : (int?)null, card.NumClasses, source)
                ?? Inference.WeightsFile.HeadClasses(carded.Path) ?? images.NumClasses;
            int batch = CommonOptions.BatchSize(parse.GetValue(batchSize), images.Count);
            var model = ModelInputs.Build(entry, ModelOptions.For(size, classes), batch);
            Inference.WeightsFile.Load(model, carded.Path, parse.GetValue(weightsKey));
            var loader = DataLoader.ForEvaluation(images, batch, size, classes);
            var result = Evaluator.Evaluate(model, loader);
            if (result.NonFinite > 0)
                Console.Error.WriteLine($"former: warning: the model produced NaN or infinite logits for {result.NonFinite:N0} of {result.Count:N0} images; they count as wrong.");
            if (run.WantsJson(parse))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = entry.Name, dataset = images.Name, split = which, images = result.Count,
                    top1 = result.Top1, top5 = result.Top5, loss = result.FiniteLoss, nonfinite_images = result.NonFinite,
                }));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{entry.Name} on {images.Name} {which} ({result.Count} images): top-1 {100 * result.Top1:F2}%, top-5 {100 * result.Top5:F2}%, loss {result.Loss:F4}"));
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
