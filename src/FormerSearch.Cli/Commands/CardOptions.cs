using System.CommandLine;
using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>--input CxHxW --num-classes K --class-names FILE --mean M,… --std S,…</c>: what <c>export</c> and <c>convert</c> record
/// about a model beside what its weights' model card says. The input and class count must agree with the card; class names and
/// normalisation given replace the card's.
/// </summary>
public sealed class CardOptions
{
    /// <summary>The model input.</summary>
    public Option<string?> Input { get; }

    /// <summary>Classifier outputs.</summary>
    public Option<int?> NumClasses { get; }

    /// <summary>A file of class names, one a line.</summary>
    public Option<string?> ClassNames { get; } = new("--class-names") { Description = "A text file with one class name per line, in logit order (default: the model card's)." };

    /// <summary>Normalisation mean.</summary>
    public Option<string?> Mean { get; } = new("--mean") { Description = "Per-channel input mean, e.g. 0.485,0.456,0.406 (pixels scaled to [0, 1]; default: the model card's)." };

    /// <summary>Normalisation standard deviation.</summary>
    public Option<string?> Std { get; } = new("--std") { Description = "Per-channel input std, e.g. 0.229,0.224,0.225 (default: the model card's)." };

    /// <summary>The options; the descriptions of <c>--input</c> and <c>--num-classes</c> say what each command does without them.</summary>
    public CardOptions(string inputDescription, string numClassesDescription)
    {
        Input = new Option<string?>("--input") { Description = inputDescription };
        NumClasses = new Option<int?>("--num-classes") { Description = numClassesDescription };
    }

    /// <summary>Adds the five options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Input, NumClasses, ClassNames, Mean, Std }) command.Options.Add(option);
    }

    /// <summary><paramref name="weights"/>' card with what the command line gives.</summary>
    /// <exception cref="UserInputException">An option is malformed, the input or class count contradicts the card's, or the names or normalisation do not fit the class count or each other.</exception>
    public ModelCard Apply(ParseResult parse, WeightsCard weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var card = weights.Card;
        var given = card with
        {
            Input = ModelCard.Settle("--input", parse.GetValue(Input) is { } text ? ProfileCommand.ParseInput(text) : (ModelInput?)null, card.Input, weights.Source),
            NumClasses = ModelCard.Settle("--num-classes", parse.GetValue(NumClasses) is { } k ? CommonOptions.Classes(k) : null, card.NumClasses, weights.Source),
            ClassNames = parse.GetValue(ClassNames) is { } file ? ReadClassNames(file) : card.ClassNames,
            Mean = parse.GetValue(Mean) is { } m ? ParseFloats(m, "--mean") : card.Mean,
            Std = parse.GetValue(Std) is { } s ? ParseFloats(s, "--std") : card.Std,
        };
        if (given.ClassNames is { } names && given.NumClasses is { } classes && names.Count != classes)
            throw new UserInputException($"{names.Count} class names were given for a model with {classes} classes.");
        if (given.Mean is { } mean && given.Std is { } std && mean.Count != std.Count)
            throw new UserInputException($"The normalisation mean has {mean.Count} value(s) but the std {std.Count}; give one of each per channel.");
        return given;
    }

    private static float[] ParseFloats(string text, string option)
    {
        var parts = text.Split(',');
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                throw new UserInputException($"{option} '{text}' is invalid: give one number per channel, separated by commas.");
        }
        if (option == "--std" && values.Any(v => !(v > 0))) throw new UserInputException($"{option} '{text}' is invalid: a standard deviation must be positive.");
        return values;
    }

    private static string[] ReadClassNames(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"Class names file '{path}' does not exist.");
        var names = File.ReadAllLines(path).Select(line => line.Trim()).ToList();
        while (names.Count > 0 && names[^1].Length == 0) names.RemoveAt(names.Count - 1);
        if (names.Any(n => n.Length == 0)) throw new UserInputException($"Class names file '{path}' has an empty line among its names.");
        return [.. names];
    }
}
