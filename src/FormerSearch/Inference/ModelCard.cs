using System.Globalization;
using System.Text.Json;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Inference;

/// <summary>
/// What a weights file says about its model, in the safetensors <c>__metadata__</c> strings beside <c>"format": "pt"</c>, so
/// that a weights file alone is enough to predict with: the model (<c>model</c>, a registered name, or <c>arch</c>, a
/// search-space architecture as JSON), <c>num_classes</c>, <c>class_names</c> (JSON array), <c>input</c> (<c>CxHxW</c>),
/// the normalisation <c>mean</c> and <c>std</c> (JSON arrays, per data channel, on the [0, 1] pixel scale), the
/// <c>dataset</c> spec and its held-out split (<c>val_size</c>, <c>test_size</c>, <c>split_seed</c>). Every key is optional:
/// files written before the card, or by other tools, read as a card with those fields null.
/// </summary>
public sealed partial record ModelCard
{
    /// <summary>Registered model name (<c>former models</c>).</summary>
    public string? Model { get; init; }

    /// <summary>Architecture of a search space, as the JSON <c>former space sample</c> and <c>search</c> write.</summary>
    public string? Architecture { get; init; }

    /// <summary>Classifier outputs.</summary>
    public int? NumClasses { get; init; }

    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The input the model was trained at.</summary>
    public ModelInput? Input { get; init; }

    /// <summary>Per data channel mean on the [0, 1] scale (an input value is <c>(pixel / 255 − mean) / std</c>).</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per data channel standard deviation on the [0, 1] scale.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>The data set spec (<c>fashion-mnist</c>, <c>folder:DIR</c>).</summary>
    public string? Dataset { get; init; }

    /// <summary>Training images held out for validation.</summary>
    public int? ValSize { get; init; }

    /// <summary>Images held out of an image folder as its test set.</summary>
    public int? TestSize { get; init; }

    /// <summary>The seed the held-out images were drawn with.</summary>
    public ulong? SplitSeed { get; init; }

    /// <summary>A card of the data a model is trained on: its classes and names, normalisation, the model's input and the split.</summary>
    public static ModelCard ForData(ImageDataset train, ModelInput input, int numClasses, string dataset, int valSize, int testSize, ulong splitSeed) => new()
    {
        NumClasses = numClasses,
        ClassNames = train.ClassNames is { } names && names.Count == numClasses ? names : null,
        Input = input,
        Mean = [.. train.Mean],
        Std = [.. train.Std],
        Dataset = dataset,
        ValSize = valSize,
        TestSize = testSize > 0 ? testSize : null,
        SplitSeed = splitSeed,
    };

    /// <summary>This card naming the model: a registered name, or a search-space architecture's JSON.</summary>
    public ModelCard WithModel(string? registeredName, string? architectureJson) => this with { Model = registeredName, Architecture = architectureJson };

    /// <summary>The metadata strings of this card, <c>"format": "pt"</c> first.</summary>
    public Dictionary<string, string> ToMetadata()
    {
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        void Put(string key, string? value)
        {
            if (value is not null) metadata[key] = value;
        }
        Put("model", Model);
        Put("arch", Architecture);
        Put("num_classes", NumClasses?.ToString(CultureInfo.InvariantCulture));
        Put("class_names", ClassNames is null ? null : JsonSerializer.Serialize(ClassNames));
        Put("input", Input?.ToString());
        Put("mean", Mean is null ? null : JsonSerializer.Serialize(Mean));
        Put("std", Std is null ? null : JsonSerializer.Serialize(Std));
        Put("dataset", Dataset);
        Put("val_size", ValSize?.ToString(CultureInfo.InvariantCulture));
        Put("test_size", TestSize?.ToString(CultureInfo.InvariantCulture));
        Put("split_seed", SplitSeed?.ToString(CultureInfo.InvariantCulture));
        return metadata;
    }

    /// <summary>The card in <paramref name="metadata"/>; absent keys are null, other keys are ignored.</summary>
    /// <exception cref="UserInputException">A key holds a value of the wrong form (the message names the key and <paramref name="source"/>).</exception>
    public static ModelCard FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string? Get(string key) => metadata.TryGetValue(key, out var v) ? v : null;
        T? Parse<T>(string key, Func<string, T> parse) where T : class
        {
            if (Get(key) is not { } text) return null;
            try { return parse(text); }
            catch (Exception e) when (e is JsonException or FormatException or OverflowException or UserInputException)
            {
                throw new UserInputException($"The model card of {source} has a malformed '{key}': '{Shorten(text)}'.");
            }
        }
        var card = new ModelCard
        {
            Model = Get("model"),
            Architecture = Get("arch"),
            NumClasses = Parse("num_classes", t => (object)int.Parse(t, CultureInfo.InvariantCulture)) as int?,
            ClassNames = Parse("class_names", t => JsonSerializer.Deserialize<string[]>(t) ?? throw new FormatException()),
            Input = Parse("input", t => (object?)TryParseInput(t) ?? throw new FormatException()) as ModelInput?,
            Mean = Parse("mean", t => JsonSerializer.Deserialize<float[]>(t) ?? throw new FormatException()),
            Std = Parse("std", t => JsonSerializer.Deserialize<float[]>(t) ?? throw new FormatException()),
            Dataset = Get("dataset"),
            ValSize = Parse("val_size", t => (object)int.Parse(t, CultureInfo.InvariantCulture)) as int?,
            TestSize = Parse("test_size", t => (object)int.Parse(t, CultureInfo.InvariantCulture)) as int?,
            SplitSeed = Parse("split_seed", t => (object)ulong.Parse(t, CultureInfo.InvariantCulture)) as ulong?,
        };
        if (card.Mean is { } mean && card.Std is { } std && (mean.Count != std.Count || std.Any(s => !(s > 0))))
            throw new UserInputException($"The model card of {source} has a 'mean' and 'std' of different lengths or a std that is not positive.");
        if (card.ClassNames is { } names && card.NumClasses is { } k && names.Count != k)
            throw new UserInputException($"The model card of {source} lists {names.Count} class names for {k} classes.");
        return card;
    }

    /// <summary>
    /// The card of the weights file at <paramref name="path"/> (read from its header alone); a PyTorch checkpoint carries none,
    /// so its card is empty and the command line says what the model is. A training checkpoint's card is that of the run's
    /// <c>model.safetensors</c> beside it, when there is one.
    /// </summary>
    /// <exception cref="UserInputException">The file is missing or unreadable, or its card is malformed.</exception>
    public static ModelCard Read(string path)
    {
        if (TrainingCheckpointWeights.Is(path))
            return TrainingCheckpointWeights.ModelFileBeside(path) is { } beside ? Read(beside) : new ModelCard();
        return StateDictFile.Detect(path) == CheckpointFormat.SafeTensors
            ? FromMetadata(SafeTensors.LoadMetadata(path), $"'{path}'")
            : new ModelCard();
    }

    /// <summary>Writes <paramref name="module"/>'s weights (PyTorch names and layouts, as <see cref="Module.SaveSafeTensors"/>) with this card, atomically.</summary>
    public void Save(Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        SafeTensors.Save(path, module.StateDict(pytorchLayout: true), ToMetadata());
    }

    /// <summary>
    /// The model the card names, or null when it names none. An architecture is checked against its space.
    /// </summary>
    /// <exception cref="UserInputException">The card names an unknown model, or an architecture its space rejects.</exception>
    public ModelEntry? Entry(string source)
    {
        if (Model is { } name)
        {
            if (!ModelRegistry.Contains(name)) throw new UserInputException($"The model card of {source} names model '{name}', which this version of former does not know.");
            return ModelRegistry.Get(name);
        }
        if (Architecture is not { } json) return null;
        var (space, architecture) = CardArchitecture(json, source);
        // Named by its space: the architecture's key is hundreds of characters long.
        return new ModelEntry($"{space.Name}-{space.Preset} subnet", space.Name, space.DefaultInput, o => space.CreateModel(architecture, o), o => space.Profile(architecture, o), IsOfficial: false);
    }

    // The card's architecture as its space validates it (the space's order of choices).
    private static (ISearchSpace Space, Spaces.Architecture Architecture) CardArchitecture(string json, string source)
    {
        try
        {
            var architecture = Spaces.Architecture.FromJson(json, source);
            var space = SearchSpaces.Create(architecture.Space, architecture.Preset);
            return (space, space.Validate(architecture));
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"The architecture in the model card of {source} is invalid: {e.Message}", e);
        }
    }

    /// <summary>"CxHxW" (also "C×H×W") as a model input, or null when the text is not three positive integers.</summary>
    public static ModelInput? TryParseInput(string text)
    {
        var parts = text.Split(['x', 'X', '×']);
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c > 0
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) && h > 0
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int w) && w > 0)
            return new ModelInput(c, h, w);
        return null;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
