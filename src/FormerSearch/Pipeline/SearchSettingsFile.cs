using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Search;

namespace FormerSearch.Pipeline;

/// <summary>
/// <c>search.json</c>: the settings a search folder was started with, written before any stage runs, so that
/// <c>--resume</c> with other settings is refused — naming the setting — before anything in the folder is written.
/// Where the data and caches live (<c>--data-dir</c>, <c>--cache-dir</c>) may change between runs and is not recorded.
/// </summary>
public static class SearchSettingsFile
{
    /// <summary>File name in the search folder.</summary>
    public const string FileName = "search.json";

    /// <summary>The recorded settings of <paramref name="settings"/>, by the option that sets each.</summary>
    public static JsonObject ToJson(SearchPipelineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string Text(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none";
        string Rate(float value) => value.ToString(CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["--space"] = settings.Space,
            ["--space-preset"] = settings.SpacePreset,
            ["--sampler"] = KindNames.Of(settings.Sampler),
            ["--distill"] = settings.Distill ? "yes" : "no",
            ["--head-splits"] = KindNames.Of(settings.HeadSplits),
            ["--dataset"] = settings.Dataset,
            ["--test-size"] = Text(settings.TestSize),
            ["--strict-images"] = settings.StrictImages ? "yes" : "no",
            ["--seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
            ["held-out seed"] = settings.HeldOutSeed.ToString(CultureInfo.InvariantCulture),
            ["--supernet"] = settings.Supernet is { } trained ? Path.GetFullPath(trained) : "none",
            ["--algorithm"] = KindNames.Of(settings.Algorithm),
            ["--study"] = settings.Study ?? "study.sqlite in the folder",
            ["budget"] = settings.Constraints?.ToString() ?? "none",
            ["--val-size"] = Text(settings.ValSize),
            ["search images"] = Text(settings.SearchValImages),
            ["batch size"] = Text(settings.BatchSize),
            ["--replicas"] = Text(settings.Replicas),
            ["--supernet-epochs"] = Text(settings.SupernetEpochs),
            ["supernet steps"] = Text(settings.SupernetMaxSteps),
            ["--population"] = Text(settings.Population),
            ["--generations"] = Text(settings.Generations),
            ["test top-k"] = Text(settings.TestTopK),
            ["--rerank-top"] = Text(settings.RerankTop),
            ["--rerank-epochs"] = Text(settings.RerankEpochs),
            ["--rerank-from"] = KindNames.Of(settings.RerankFrom),
            ["batch-norm batches"] = Text(settings.BnBatches),
            ["--finetune-epochs"] = Text(settings.FinetuneEpochs),
            ["fine-tuning steps"] = Text(settings.FinetuneMaxSteps),
            ["fine-tuning random erasing"] = Rate(settings.FinetuneRandomErasing),
            ["fine-tuning mixup"] = Rate(settings.FinetuneMixup),
            ["fine-tuning cutmix"] = Rate(settings.FinetuneCutmix),
            ["fine-tuning drop path"] = Rate(settings.FinetuneDropPath),
            ["--finetune-images"] = KindNames.Of(settings.FinetuneImages),
            ["latency batch"] = Text(settings.LatencyBatch),
        };
    }

    // A setting a folder of an older version did not record: what that version did (one process, no random erasing, mixing or drop path, fine-tuning without the held-out images), else nothing.
    private static string Unrecorded(string name) => name switch
    {
        "--replicas" => "1",
        "fine-tuning random erasing" or "fine-tuning mixup" or "fine-tuning cutmix" or "fine-tuning drop path" => "0",
        "--rerank-top" => "0",
        "--rerank-epochs" => "1",
        "--rerank-from" => "inherited",
        "--head-splits" => "own",
        "--finetune-images" => "train",
        _ => "nothing",
    };

    /// <summary>
    /// Refuses to go on in <paramref name="folder"/> if its <c>search.json</c> records other settings than
    /// <paramref name="settings"/>; does nothing when it has none (a new folder, or one of an older version).
    /// </summary>
    /// <exception cref="UserInputException">A setting differs (the message names the first), or the file is damaged.</exception>
    public static void CheckSame(string folder, SearchPipelineSettings settings)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return;
        JsonObject saved;
        try
        {
            saved = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{path} is damaged ({e.Message}); choose another --output.", e);
        }
        foreach (var (name, value) in ToJson(settings))
        {
            string now = value!.GetValue<string>(), then = saved[name] is JsonValue v && v.TryGetValue(out string? s) ? s : Unrecorded(name);
            if (now != then)
                throw new UserInputException($"{folder} holds a search with {name} {Cut(then)}, not {Cut(now)}; resume with the same settings or choose another --output.");
        }
    }

    /// <summary>Writes <paramref name="settings"/> into <paramref name="folder"/>'s <c>search.json</c> (atomically).</summary>
    public static void Save(string folder, SearchPipelineSettings settings) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), ToJson(settings).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    private static string Cut(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
