using FormerSearch.Engine;
using FormerSearch.Data;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>How commands that read a data set size the model: the data's own size unless <c>--input</c> says otherwise.</summary>
public static class ModelInputs
{
    /// <summary><paramref name="inputText"/> parsed, or <paramref name="data"/>'s channels × height × width.</summary>
    public static ModelInput Choose(string? inputText, ImageDataset data) =>
        inputText is { } text ? ProfileCommand.ParseInput(text) : new ModelInput(data.Channels, data.Height, data.Width);

    /// <summary>Builds <paramref name="entry"/>; an input the architecture cannot take becomes a sentence naming the model, the size and --input.</summary>
    public static VisionModel Build(ModelEntry entry, ModelOptions options)
    {
        try
        {
            return entry.Create(options);
        }
        catch (Exception e) when (e is ArgumentException or UserInputException) // the architecture refuses the size
        {
            throw new UserInputException($"{entry.Name} cannot take {options.Input} images ({e.Message.TrimEnd('.')}); choose a size it takes with --input.");
        }
    }
}
