using System.Globalization;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Export;

/// <summary>
/// What an exported file says about its model in ONNX <c>metadata_props</c>: always its name, input (layout, size) and
/// number of classes, taken from the model; the class names and the input normalisation when the caller knows them.
/// Values are plain strings, lists as JSON arrays.
/// </summary>
public sealed record OnnxModelCard
{
    /// <summary>Class names in logit order, or null when unknown.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Per-channel mean subtracted from the pixels (scaled to [0, 1]) before the model, or null when unknown.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviation the pixels are divided by after the mean, or null when unknown.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>Checks the card against <paramref name="model"/>.</summary>
    /// <exception cref="UserInputException">The class names are not one per class, or the mean or std is not one value per input channel (or a std is not positive).</exception>
    public void Validate(VisionModel model)
    {
        if (ClassNames is { } names && names.Count != model.NumClasses)
            throw new UserInputException($"{names.Count} class names were given for a model with {model.NumClasses} classes.");
        if (Mean is { } mean && mean.Count != model.Input.Channels)
            throw new UserInputException($"The normalisation mean has {mean.Count} values; the model takes {model.Input.Channels} channel(s).");
        if (Std is { } std && (std.Count != model.Input.Channels || std.Any(s => !(s > 0))))
            throw new UserInputException($"The normalisation std must be {model.Input.Channels} positive value(s); got [{string.Join(", ", std)}].");
    }

    /// <summary>The metadata entries of <paramref name="model"/> exported under <paramref name="name"/>, in a fixed order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Entries(VisionModel model, string name)
    {
        var input = model.Input;
        yield return new("model", name);
        yield return new("input_layout", "NCHW");
        yield return new("input_size", JsonSerializer.Serialize(new[] { input.Channels, input.Height, input.Width }));
        yield return new("num_classes", model.NumClasses.ToString(CultureInfo.InvariantCulture));
        if (ClassNames is not null) yield return new("class_names", JsonSerializer.Serialize(ClassNames));
        if (Mean is not null) yield return new("mean", JsonSerializer.Serialize(Mean));
        if (Std is not null) yield return new("std", JsonSerializer.Serialize(Std));
    }
}
