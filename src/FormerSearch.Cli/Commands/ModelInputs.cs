using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Cli.Commands;

/// <summary>Building a model for the size a command chose, with a sentence naming the model and size when it cannot take it.</summary>
public static class ModelInputs
{
    /// <summary>
    /// Builds <paramref name="entry"/> after checking from its profile alone that it fits memory at <paramref name="batchSize"/>
    /// (trained when <paramref name="training"/>; see <see cref="MemoryBudget"/>); an input the architecture cannot take
    /// becomes a sentence naming the model, the size and --input.
    /// </summary>
    /// <exception cref="UserInputException">The model cannot take the input, or does not fit memory.</exception>
    public static VisionModel Build(ModelEntry entry, ModelOptions options, int batchSize = 1, bool training = false)
    {
        CheckMemory(entry, options, batchSize, training);
        try
        {
            return entry.Create(options);
        }
        catch (UserInputException e)
        {
            throw Unfit(entry, options, e);
        }
    }

    /// <summary>Refuses, before anything is built, a model that does not fit memory at <paramref name="batchSize"/> (see <see cref="MemoryBudget.Check(Models.Profiling.ModelProfile, int, bool)"/>).</summary>
    /// <exception cref="UserInputException">The model cannot take the input, or does not fit memory.</exception>
    public static void CheckMemory(ModelEntry entry, ModelOptions options, int batchSize = 1, bool training = false)
    {
        Models.Profiling.ModelProfile profile;
        try
        {
            profile = entry.Profile(options);
        }
        catch (UserInputException e)
        {
            throw Unfit(entry, options, e);
        }
        MemoryBudget.Check(profile, batchSize, training);
    }

    private static UserInputException Unfit(ModelEntry entry, ModelOptions options, UserInputException e) =>
        new($"{entry.Name} cannot take {options.Input} images ({e.Message.TrimEnd('.')}); choose a size it takes with --input.", e);
}
