using FormerSearch.Engine;
using System.CommandLine;
using FormerSearch.Models;

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
}
