using System.Globalization;
using FormerSearch.Engine;

namespace FormerSearch.Models;

/// <summary>
/// Upper bounds on the sizes a model, a batch or a run is made of: each far above any published model (ViT-22B is 48
/// blocks of width 6,144; ImageNet-21k has 21,841 classes) and far below what overflows a 32-bit count or takes minutes
/// to refuse. They are checked before anything is built, profiled or allocated, so an absurd value (a depth of 100
/// million, a width of 2 billion) is one sentence at once; whether a size within them fits this machine's memory is
/// <see cref="MemoryBudget"/>'s question.
/// </summary>
public static class SizeLimits
{
    /// <summary>Most classifier outputs.</summary>
    public const int MaxClasses = 1_000_000;

    /// <summary>Most image channels.</summary>
    public const int MaxChannels = 1_024;

    /// <summary>Longest image side in pixels.</summary>
    public const int MaxImageSide = 16_384;

    /// <summary>Widest layer (embedding, stage, MLP hidden or expanded width).</summary>
    public const int MaxWidth = 65_536;

    /// <summary>Most blocks in one model (all stages together).</summary>
    public const int MaxDepth = 1_024;

    /// <summary>Most attention heads in one layer.</summary>
    public const int MaxHeads = 4_096;

    /// <summary>Largest batch of images.</summary>
    public const int MaxBatch = 1 << 20;

    /// <summary>Most threads.</summary>
    public const int MaxThreads = 1_024;

    /// <summary>Checks an image size: channels, height and width at least 1 and within <see cref="MaxChannels"/> and <see cref="MaxImageSide"/>.</summary>
    /// <exception cref="UserInputException">A side or the channel count is out of range; the message names <paramref name="what"/>.</exception>
    public static void CheckInput(ModelInput input, string what = "The input")
    {
        if (input.Channels < 1 || input.Height < 1 || input.Width < 1)
            throw new UserInputException($"{what} {input} is invalid: channels, height and width must be positive.");
        if (input.Channels > MaxChannels || input.Height > MaxImageSide || input.Width > MaxImageSide)
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"{what} {input} is too large: at most {MaxChannels:N0} channels and {MaxImageSide:N0} pixels a side are supported."));
    }

    /// <summary>Checks a classifier's output count: 1 to <see cref="MaxClasses"/>.</summary>
    /// <exception cref="UserInputException">Out of range.</exception>
    public static void CheckClasses(long numClasses)
    {
        if (numClasses < 1) throw new UserInputException($"The number of classes must be at least 1; got {numClasses}.");
        AtMost(numClasses, MaxClasses, "The number of classes");
    }

    /// <summary>Checks a model's total depth (blocks over all stages) against <see cref="MaxDepth"/>.</summary>
    /// <exception cref="UserInputException">Too deep; the message names <paramref name="model"/>.</exception>
    public static void CheckDepth(long blocks, string model) => AtMost(blocks, MaxDepth, $"The depth of {model}");

    /// <summary>Checks a layer width (as a real number, so that a width times an MLP ratio cannot overflow first) against <see cref="MaxWidth"/>.</summary>
    /// <exception cref="UserInputException">Too wide; the message names <paramref name="what"/>.</exception>
    public static void CheckWidth(double width, string what) => AtMost(width, MaxWidth, what);

    /// <summary>Checks an attention head count against <see cref="MaxHeads"/>.</summary>
    /// <exception cref="UserInputException">Too many; the message names <paramref name="what"/>.</exception>
    public static void CheckHeads(long heads, string what) => AtMost(heads, MaxHeads, what);

    /// <summary>Throws unless <paramref name="value"/> is at most <paramref name="max"/> (NaN is refused too).</summary>
    /// <exception cref="UserInputException">It is larger, saying what the limit is.</exception>
    public static void AtMost(double value, double max, string what)
    {
        if (!(value <= max))
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture, $"{what} is {value:#,0.##}, more than the {max:N0} supported."));
    }
}
