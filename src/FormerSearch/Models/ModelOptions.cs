using FormerSearch.Engine;

namespace FormerSearch.Models;

/// <summary>What every model factory takes besides its architecture: input size, classes, regularisation, seed.</summary>
public sealed record ModelOptions
{
    /// <summary>Classifier outputs; at least 1.</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Image channels.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Image height in pixels.</summary>
    public int ImageHeight { get; init; } = 224;

    /// <summary>Image width in pixels.</summary>
    public int ImageWidth { get; init; } = 224;

    /// <summary>Dropout probability in MLPs (timm's <c>drop_rate</c>).</summary>
    public float DropRate { get; init; }

    /// <summary>Stochastic depth rate of the last block, rising linearly from 0 over the blocks (timm's <c>drop_path_rate</c>).</summary>
    public float DropPathRate { get; init; }

    /// <summary>Seed of the generator drawing initial weights and dropout masks.</summary>
    public ulong Seed { get; init; }

    /// <summary>The input as channels × height × width.</summary>
    public ModelInput Input => new(InChannels, ImageHeight, ImageWidth);

    /// <summary>Options for <paramref name="input"/> and <paramref name="numClasses"/>, the rest at defaults.</summary>
    public static ModelOptions For(ModelInput input, int numClasses = 1000) => new()
    {
        InChannels = input.Channels,
        ImageHeight = input.Height,
        ImageWidth = input.Width,
        NumClasses = numClasses,
    };

    /// <summary>Checks the fields every model needs.</summary>
    /// <exception cref="UserInputException">A count is not positive or above its <see cref="SizeLimits"/>, or a rate is outside [0, 1).</exception>
    public void Validate()
    {
        SizeLimits.CheckClasses(NumClasses);
        SizeLimits.CheckInput(Input);
        if (!(DropRate >= 0f && DropRate < 1f)) throw new UserInputException($"The drop rate must be in [0, 1); got {DropRate}.");
        if (!(DropPathRate >= 0f && DropPathRate < 1f)) throw new UserInputException($"The drop path rate must be in [0, 1); got {DropPathRate}.");
    }
}
