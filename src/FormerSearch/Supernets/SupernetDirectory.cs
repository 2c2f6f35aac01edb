using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Models;
using FormerSearch.Search;
using FormerSearch.Spaces;

namespace FormerSearch.Supernets;

/// <summary>
/// The folder <c>former supernet train</c> writes and every later stage reads: <c>space.json</c> (space, preset,
/// input, classes, sampler and whether it distilled, GLiT head splits' weights, data set) and <c>supernet.safetensors</c> (the shared weights, official names), beside
/// the trainer's <c>checkpoint.safetensors</c> and <c>metrics.jsonl</c>.
/// </summary>
/// <param name="ValSize">Training images held out from supernet training, for ranking subnets.</param>
/// <param name="Seed">Seed of the run (and of the held-out split).</param>
public sealed record SupernetDirectory(string Path, string Space, string Preset, ModelInput Input, int NumClasses, SamplerKind Sampler, string Dataset,
    int ValSize, ulong Seed)
{
    /// <summary>Whether the sampler's smaller subnets learned from the step's largest one (in-place distillation); false in files written before the option.</summary>
    public bool Distill { get; init; }

    /// <summary>Whether a GLiT supernet's head splits share their weights; <see cref="HeadSplitWeights.Own"/> in files written before the option.</summary>
    public HeadSplitWeights HeadSplits { get; init; }

    /// <summary>How the supernet is trained, for a log line: "hybrid sampling and in-place distillation, head splits sharing their weights,".</summary>
    public string TrainingRule => $"{KindNames.Of(Sampler)} sampling{(Distill ? " and in-place distillation" : "")}"
        + (HeadSplits == HeadSplitWeights.Shared ? ", head splits sharing their weights," : "");

    /// <summary>File name of the description.</summary>
    public const string SpaceFile = "space.json";

    /// <summary>File name of the trained weights.</summary>
    public const string WeightsFile = "supernet.safetensors";

    /// <summary>Path of the trained weights.</summary>
    public string WeightsPath => System.IO.Path.Combine(Path, WeightsFile);

    /// <summary>The search space it was trained on.</summary>
    /// <exception cref="UserInputException"><c>space.json</c> names a space or preset that does not exist.</exception>
    public ISearchSpace CreateSpace() => SearchSpaces.Create(Space, Preset);

    /// <summary>Options for the supernet and its extracted models.</summary>
    public ModelOptions ModelOptions => Models.ModelOptions.For(Input, NumClasses);

    /// <summary>Writes <c>space.json</c> (atomically), creating the folder.</summary>
    public void Save()
    {
        Directory.CreateDirectory(Path);
        var doc = new JsonObject
        {
            ["space"] = Space,
            ["preset"] = Preset,
            ["input"] = new JsonArray(Input.Channels, Input.Height, Input.Width),
            ["num_classes"] = NumClasses,
            ["sampler"] = KindNames.Of(Sampler),
            ["distill"] = Distill,
            ["head_splits"] = KindNames.Of(HeadSplits),
            ["dataset"] = Dataset,
            ["val_size"] = ValSize,
            ["seed"] = Seed,
        };
        string file = System.IO.Path.Combine(Path, SpaceFile);
        AtomicFile.WriteAllText(file, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// The first setting in which <paramref name="other"/> differs from this folder's, by the option that sets it (as
    /// <c>"--sampler uniform, not sandwich"</c>: this folder's value first), or null when they agree (paths aside).
    /// </summary>
    public string? FirstDifference(SupernetDirectory other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (setting, mine, theirs) in new (string, string, string)[]
        {
            ("--space", Space, other.Space), ("--preset", Preset, other.Preset), ("input", Input.ToString(), other.Input.ToString()),
            ("classes", Number(NumClasses), Number(other.NumClasses)), ("--sampler", KindNames.Of(Sampler), KindNames.Of(other.Sampler)),
            ("--distill", YesNo(Distill), YesNo(other.Distill)), ("--head-splits", KindNames.Of(HeadSplits), KindNames.Of(other.HeadSplits)),
            ("--dataset", Dataset, other.Dataset), ("--val-size", Number(ValSize), Number(other.ValSize)), ("--seed", Number(Seed), Number(other.Seed)),
        })
        {
            if (mine != theirs) return $"{setting} {mine}, not {theirs}";
        }
        return null;
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Number(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads the folder's <c>space.json</c>.</summary>
    /// <exception cref="UserInputException">The folder does not exist, or has no valid <c>space.json</c> (it is not a supernet folder).</exception>
    public static SupernetDirectory Load(string path)
    {
        if (!Directory.Exists(path)) throw new UserInputException($"The supernet folder {path} does not exist.");
        string file = System.IO.Path.Combine(path, SpaceFile);
        if (!File.Exists(file)) throw new UserInputException($"{path} is not a supernet folder: it has no {SpaceFile} (write one with `former supernet train`).");
        var doc = WrittenJson.ReadObject(file);
        string space = WrittenJson.String(doc, "space", file), preset = WrittenJson.String(doc, "preset", file);
        var input = WrittenJson.Integers(doc, "input", file, 3, 1, MaxInputSize);
        int classes = (int)WrittenJson.Integer(doc, "num_classes", file, 1, MaxClasses);
        var sampler = ReadKind<SamplerKind>(doc, "sampler", file, SamplerKind.Uniform);
        bool distill = doc["distill"] switch
        {
            null => false,
            JsonValue v when v.TryGetValue(out bool b) => b,
            _ => throw WrittenJson.Damaged(file, "its distill is neither true nor false"),
        };
        var headSplits = ReadKind<HeadSplitWeights>(doc, "head_splits", file, HeadSplitWeights.Own);
        string dataset = doc["dataset"] is null ? "" : WrittenJson.String(doc, "dataset", file);
        int valSize = (int)WrittenJson.Integer(doc, "val_size", file, 0, MaxHeldOut, fallback: 0);
        ulong seed = WrittenJson.UInt64(doc, "seed", file, 0);
        try
        {
            // Names are checked now, so that a damaged file is refused before any work, not at the stage that uses them.
            SearchSpaces.Create(space, preset).CheckHeadSplits(headSplits);
            if (dataset.Length > 0) DatasetSpec.Parse(dataset);
        }
        catch (UserInputException e)
        {
            throw WrittenJson.Damaged(file, InputText.Clip(e.Message.TrimEnd('.'), 200), e);
        }
        return new SupernetDirectory(path, space, preset, new ModelInput((int)input[0], (int)input[1], (int)input[2]), classes, sampler, dataset, valSize, seed) { Distill = distill, HeadSplits = headSplits };
    }

    // Bounds of a space.json written by former: far beyond any real run, small enough that nothing overflows downstream.
    private const long MaxInputSize = 1 << 16, MaxClasses = 1_000_000, MaxHeldOut = 100_000_000;

    // A kind stored by its name (absent in files written before the setting: `fallback`).
    private static TKind ReadKind<TKind>(JsonObject doc, string field, string file, TKind fallback) where TKind : struct, Enum
    {
        string name = WrittenJson.String(doc, field, file, KindNames.Of(fallback));
        return KindNames.TryParse(name, out TKind kind) ? kind
            : throw WrittenJson.Damaged(file, $"its {field} {InputText.Quote(name)} is none of {string.Join(", ", KindNames.All<TKind>())}");
    }

    /// <summary>Reads an architecture file of this supernet's space (the JSON <c>former space sample</c> writes), checked against the space.</summary>
    /// <exception cref="UserInputException">The file does not exist or is not an architecture of this space and preset; the message names the file and says which choice is wrong.</exception>
    public Architecture ReadArchitecture(string file)
    {
        if (!File.Exists(file)) throw new UserInputException($"The architecture file {file} does not exist.");
        var architecture = Architecture.FromJson(File.ReadAllText(file), file);
        if (architecture.Space != Space || architecture.Preset != Preset)
            throw new UserInputException($"{file} is an architecture of {architecture.Space} ({architecture.Preset}) but the supernet in {Path} is {Space} ({Preset}).");
        try { return CreateSpace().Validate(architecture); }
        catch (UserInputException e) { throw new UserInputException($"{file}: {e.Message}", e); }
    }

    /// <summary>The supernet with the trained weights loaded.</summary>
    /// <exception cref="UserInputException">The weights are not there yet (training has not finished), or are not this supernet's (damaged, or another space's).</exception>
    public Supernet LoadSupernet()
    {
        if (!File.Exists(WeightsPath)) throw new UserInputException($"{WeightsPath} does not exist: the supernet in {Path} has not finished training (resume it with `former supernet train --resume`).");
        var supernet = CreateSpace().CreateSupernet(ModelOptions, HeadSplits);
        try
        {
            supernet.LoadSafeTensors(WeightsPath, strict: true);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new UserInputException($"{WeightsPath} does not hold the weights of the {Space} ({Preset}) supernet {SpaceFile} describes: {e.Message}", e);
        }
        return supernet;
    }
}
