using System.CommandLine;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former convert IN OUT.safetensors [--weights-key K] [--json]</c>: a PyTorch checkpoint's state dict (or any weights file
/// <c>former</c> reads) written as a float32 safetensors file with the same names and layouts, atomically; <c>--json</c> prints
/// <c>{"output", "tensors", "parameters"}</c>.
/// </summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = $"Weights to read: {WeightsKeyOption.Formats}." };
        var output = new Argument<string>("output") { Description = "The safetensors file to write (float32; written to a temporary name and renamed)." };
        var weightsKey = WeightsKeyOption.Create();
        var json = CommonOptions.Json();
        var command = new Command("convert", "Convert a PyTorch checkpoint (.pth, .pth.tar, .pt) to safetensors, names and layouts unchanged.") { input, output, weightsKey, json };
        command.SetAction(parse =>
        {
            string from = parse.GetValue(input)!, to = parse.GetValue(output)!;
            if (!File.Exists(from)) throw new UserInputException($"Weights file '{from}' does not exist.");
            OutputPath.File(to, "The output");
            if (Path.GetFullPath(to) == Path.GetFullPath(from)) throw new UserInputException($"Output '{to}' is the input itself; choose another file.");
            var tensors = StateDictFile.Load(from, parse.GetValue(weightsKey));
            SafeTensors.Save(to, tensors, Metadata());
            long parameters = tensors.Values.Sum(t => (long)t.Numel);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { output = Path.GetFullPath(to), tensors = tensors.Count, parameters }));
            else
                Console.WriteLine($"{to}: {tensors.Count} tensors, {parameters:N0} values");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The <c>__metadata__</c> a converted file carries: what PyTorch's own writer puts there (the model card goes here too once weights describe themselves).</summary>
    internal static Dictionary<string, string> Metadata() => new() { ["format"] = "pt" };
}
