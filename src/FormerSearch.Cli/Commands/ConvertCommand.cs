using System.CommandLine;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Inference;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former convert IN OUT.safetensors [--weights-key K] [--model NAME | --arch FILE] [--input CxHxW] [--num-classes K]
/// [--class-names FILE] [--mean M,… --std S,…] [--json]</c>: a PyTorch checkpoint's state dict (or any weights file
/// <c>former</c> reads) written as a float32 safetensors file with the same names and layouts, atomically, with a model card
/// of what is known — the input's own card, the options given, the class count from a 2-D <c>head.weight</c>; <c>--json</c>
/// prints <c>{"output", "tensors", "parameters"}</c>.
/// </summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = $"Weights to read: {WeightsKeyOption.Formats}." };
        var output = new Argument<string>("output") { Description = "The safetensors file to write (float32; written to a temporary name and renamed)." };
        var weightsKey = WeightsKeyOption.Create();
        var selection = new ModelSelection();
        var card = new CardOptions("The model's input as CxHxW, for the model card (default: the input file's card's, else none).",
            "Classifier outputs, for the model card (default: the input file's card's, else the rows of its head.weight).");
        var json = CommonOptions.Json();
        var command = new Command("convert", "Convert a PyTorch checkpoint (.pth, .pth.tar, .pt) to safetensors, names and layouts unchanged, with a model card of what is known.")
        {
            input, output, weightsKey, json,
        };
        selection.AddTo(command);
        card.AddTo(command);
        command.SetAction(parse =>
        {
            string from = parse.GetValue(input)!, to = parse.GetValue(output)!;
            var carded = WeightsCard.Read(from);
            OutputPath.File(to, "The output");
            if (Path.GetFullPath(to) == Path.GetFullPath(from)) throw new UserInputException($"Output '{to}' is the input itself; choose another file.");
            var known = card.Apply(parse, carded);
            if (parse.GetValue(selection.Model) is not null || parse.GetValue(selection.Arch) is not null)
            {
                selection.Resolve(parse, carded); // a model named must exist and agree with the input's card
                var (name, architecture) = selection.CardNames(parse);
                if (name is not null || architecture is not null) known = known.WithModel(name, architecture);
            }
            var tensors = StateDictFile.Load(from, parse.GetValue(weightsKey));
            SafeTensors.Save(to, tensors, Metadata(known, tensors, carded.Source));
            long parameters = tensors.Values.Sum(t => (long)t.Numel);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { output = Path.GetFullPath(to), tensors = tensors.Count, parameters }));
            else
                Console.WriteLine($"{to}: {tensors.Count} tensors, {parameters:N0} values");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The <c>__metadata__</c> a converted file carries: what PyTorch's own writer puts there and the model card <paramref name="known"/>,
    /// its class count, when not known, the rows of a 2-D <c>head.weight</c> among <paramref name="tensors"/>.
    /// </summary>
    /// <exception cref="UserInputException">The class count known contradicts the head's rows, or the class names are not one per class.</exception>
    internal static Dictionary<string, string> Metadata(ModelCard known, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        int? head = tensors.TryGetValue("head.weight", out var w) && w.Shape.Length == 2 ? w.Size(0) : null;
        if (known.NumClasses is { } k && head is { } rows && k != rows)
            throw new UserInputException($"{k} classes were given (or carded) but the head.weight of {source} has {rows} rows; give --num-classes {rows}.");
        var card = known with { NumClasses = known.NumClasses ?? head };
        if (card.ClassNames is { } names && card.NumClasses is { } classes && names.Count != classes)
            throw new UserInputException($"{names.Count} class names were given for a model with {classes} classes (the rows of the head.weight of {source}).");
        return card.ToMetadata();
    }
}
