using FormerSearch.Engine;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using Spectre.Console;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former profile --model NAME | --arch FILE [--input CxHxW] [--num-classes K] [--json]</c>: analytic params and MACs of a
/// model with a per-layer table (nothing is built or run).
/// </summary>
public static class ProfileCommand
{
    public static Command Create()
    {
        var selection = new ModelSelection();
        var input = new Option<string?>("--input") { Description = "Input as CxHxW, e.g. 3x224x224 (default: the model's)." };
        var numClasses = new Option<int>("--num-classes") { Description = "Classifier outputs.", DefaultValueFactory = _ => 1000 };
        var json = CommonOptions.Json();
        var command = new Command("profile", "Parameters, MACs and a per-layer table of a model, computed from its configuration.") { input, numClasses, json };
        selection.AddTo(command);
        command.SetAction(parse =>
        {
            var entry = selection.Resolve(parse);
            var size = parse.GetValue(input) is { } text ? ParseInput(text) : entry.DefaultInput;
            int classes = CommonOptions.Classes(parse.GetValue(numClasses));
            return Run(entry.Profile(ModelOptions.For(size, classes)), parse.GetValue(json));
        });
        return command;
    }

    /// <summary>Parses "CxHxW" (also "C×H×W") into a <see cref="ModelInput"/>.</summary>
    /// <exception cref="UserInputException">The text is not three positive integers separated by 'x', or a size is above <see cref="SizeLimits"/>.</exception>
    public static ModelInput ParseInput(string text)
    {
        var input = Inference.ModelCard.TryParseInput(text)
            ?? throw new UserInputException($"--input '{text}' is invalid: give channels, height and width as positive integers, e.g. 3x224x224.");
        SizeLimits.CheckInput(input, "--input");
        return input;
    }

    private static int Run(ModelProfile profile, bool json)
    {
        if (json)
        {
            var doc = new
            {
                model = profile.Model,
                input = new[] { profile.Input.Channels, profile.Input.Height, profile.Input.Width },
                num_classes = profile.NumClasses,
                @params = profile.Params,
                macs = profile.Macs,
                layers = profile.Layers.Select(l => new { name = l.Name, kind = l.Kind, output_shape = l.OutputShape, @params = l.Params, macs = l.Macs }),
            };
            Console.WriteLine(JsonSerializer.Serialize(doc));
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns(new TableColumn("layer").NoWrap(), new TableColumn("kind"), new TableColumn("output (channels-last)").NoWrap(),
            new TableColumn("params").RightAligned(), new TableColumn("MACs").RightAligned());
        foreach (var l in profile.Layers)
            table.AddRow(Markup.Escape(l.Name), Markup.Escape(l.Kind), Markup.Escape("[" + string.Join(", ", l.OutputShape) + "]"),
                l.Params.ToString("N0", CultureInfo.InvariantCulture), l.Macs.ToString("N0", CultureInfo.InvariantCulture));
        Tables.Write(table);
        Console.WriteLine($"{profile.Model} at {profile.Input}, {profile.NumClasses} classes: {ModelsCommand.Millions(profile.Params)} M params, {ModelsCommand.Billions(profile.Macs)} GMACs.");
        Console.WriteLine("MACs count convolutions, linear layers and attention products (fvcore's convention, norms excluded).");
        return ExitCodes.Success;
    }
}
