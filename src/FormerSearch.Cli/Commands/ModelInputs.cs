using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>Building a model for the size a command chose, with a sentence naming the model and size when it cannot take it.</summary>
public static class ModelInputs
{
    /// <summary>Builds <paramref name="entry"/>; an input the architecture cannot take becomes a sentence naming the model, the size and --input.</summary>
    public static VisionModel Build(ModelEntry entry, ModelOptions options)
    {
        try
        {
            return entry.Create(options);
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"{entry.Name} cannot take {options.Input} images ({e.Message.TrimEnd('.')}); choose a size it takes with --input.");
        }
    }
}
