using FormerSearch.Engine;

namespace FormerSearch.Models;

/// <summary>
/// A zoo model built from its family's <typeparamref name="TConfig"/>: the options and the architecture are checked, and
/// the one generator the weights and the dropout masks come from is started, before the family's constructor draws
/// anything.
/// </summary>
/// <typeparam name="TConfig">The family's architecture record.</typeparam>
public abstract class VisionModel<TConfig> : VisionModel where TConfig : IModelConfig
{
    /// <summary>Checks <paramref name="options"/>, starts <see cref="VisionModel.Randomness"/> from their seed, then checks <paramref name="config"/>.</summary>
    /// <exception cref="UserInputException">The options or the configuration are invalid.</exception>
    protected VisionModel(TConfig config, ModelOptions options) : base(options)
    {
        config.Validate();
        Config = config;
    }

    /// <summary>The architecture.</summary>
    public TConfig Config { get; }
}
