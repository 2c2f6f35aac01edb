using FormerSearch.Engine;
using System.CommandLine;
using FormerSearch.Inference;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Cli.Commands;

/// <summary>The <c>--model NAME | --arch FILE</c> pair every command that builds a model takes.</summary>
public sealed class ModelSelection
{
    /// <summary>Registered model name.</summary>
    public Option<string?> Model { get; } = new("--model") { Description = "Registered model name (see `former models`)." };

    /// <summary>Architecture file.</summary>
    public Option<string?> Arch { get; } = new("--arch") { Description = "Architecture file instead of a name: an AutoFormer experiment YAML or a BurgerFormer dictionary." };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Arch);
    }

    /// <summary>The entry the user chose.</summary>
    /// <exception cref="UserInputException">Neither or both options were given, or the architecture file does not exist.</exception>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known ones).</exception>
    /// <exception cref="InvalidDataException">The architecture file is invalid.</exception>
    public ModelEntry Resolve(ParseResult parse)
    {
        string? name = parse.GetValue(Model), path = parse.GetValue(Arch);
        return (name, path) switch
        {
            (null, null) => throw new UserInputException("Give the model with --model NAME (see `former models`) or --arch FILE."),
            (not null, not null) => throw new UserInputException($"Give either --model {name} or --arch {path}, not both."),
            (not null, null) => ModelRegistry.Get(name),
            _ => File.Exists(path) ? ArchitectureFile.Load(path!) : throw new UserInputException($"--arch {path} does not exist."),
        };
    }

    /// <summary>
    /// The entry the user chose, else the one the model card of <paramref name="weights"/> names, so that a weights file
    /// written by <c>train</c>, <c>extract</c> or <c>search</c> needs neither option; a model given must be the card's.
    /// </summary>
    /// <exception cref="UserInputException">
    /// Both options were given, neither was and the card names no model, what is named is unknown or invalid, or it contradicts the card.
    /// </exception>
    public ModelEntry Resolve(ParseResult parse, WeightsCard weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (parse.GetValue(Model) is not null || parse.GetValue(Arch) is not null)
        {
            var entry = Resolve(parse);
            var (name, architecture) = CardNames(parse);
            weights.Card.CheckModel(name, architecture, weights.Source);
            return entry;
        }
        return weights.Card.Entry(weights.Source)
            ?? throw new UserInputException($"Weights '{weights.Path}' do not name their model (no model card): give it with --model NAME or --arch FILE.");
    }

    /// <summary>
    /// How the chosen model is named in a model card: the registered name, or a search-space architecture's JSON (null for
    /// both when the architecture file is a BurgerFormer dictionary or an AutoFormer YAML, which a card does not hold).
    /// </summary>
    public (string? Model, string? Architecture) CardNames(ParseResult parse)
    {
        if (parse.GetValue(Model) is { } name) return (name, null);
        if (parse.GetValue(Arch) is { } path && File.Exists(path) && File.ReadAllText(path) is var text && Architecture.Recognises(text))
            return (null, Architecture.FromJson(text, path).ToJson());
        return (null, null);
    }
}
