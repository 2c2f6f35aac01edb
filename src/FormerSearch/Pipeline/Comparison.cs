using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Engine;
using FormerSearch.Engine.Distributed;
using FormerSearch.Inference;
using FormerSearch.Models;
using FormerSearch.Training;

namespace FormerSearch.Pipeline;

/// <summary>
/// <c>former compare</c>: every entry trained from scratch (or from its inherited weights) once per seed with its recipe,
/// tested on the test set, its eval-mode forward timed at batch 1 and 64, and the rows written to
/// <c>OUTPUT/comparison.json</c> after each finished run. Each (model, seed) run is a resumable <see cref="Trainer"/> run in
/// <c>OUTPUT/runs/ID/seed-S/</c> whose <c>result.json</c> marks it finished: a finished run is read back, not redone, as long
/// as it was made from the same model, recipe and data (else the folder is refused).
/// </summary>
/// <param name="training">The training batches of one seed (shuffling and augmentation drawn from it).</param>
/// <param name="test">The test batches.</param>
public sealed class Comparison(ComparisonSettings settings, Func<ulong, IBatchSource> training, IBatchSource test, ITrainingProgress progress, Action<string> log)
{
    /// <summary>The results file's name in the output folder.</summary>
    public const string ResultsFile = "comparison.json";

    /// <summary>Trains and tests every entry over every seed and returns the comparison (also in <see cref="ResultsFile"/>).</summary>
    /// <exception cref="UserInputException">A run folder holds a run of another model, recipe or data; a checkpoint cannot be resumed.</exception>
    /// <exception cref="TrainingDivergedException">A loss was NaN or infinite.</exception>
    public JsonObject Run(IReadOnlyList<ComparisonEntry> entries)
    {
        Directory.CreateDirectory(settings.Output);
        var rows = new JsonArray();
        foreach (var entry in entries)
        {
            var accuracies = new List<double>();
            for (int i = 0; i < settings.Seeds; i++)
                accuracies.Add(RunSeed(entry, settings.FirstSeed + (ulong)i));
            var (b1, b64) = Latency(entry);
            rows.Add(Row(entry, accuracies, b1, b64));
            Save(rows);
        }
        return Save(rows);
    }

    private double RunSeed(ComparisonEntry entry, ulong seed)
    {
        string dir = Path.Combine(settings.Output, "runs", entry.Id, $"seed-{seed}");
        string resultPath = Path.Combine(dir, "result.json");
        string identity = Identity(entry);
        if (File.Exists(resultPath))
        {
            var done = JsonNode.Parse(File.ReadAllText(resultPath))!.AsObject();
            if (done["identity"]?.GetValue<string>() != identity)
                throw new UserInputException($"{dir} holds a run of another model, recipe or data than this comparison's {entry.Name}; choose another --output.");
            log($"{entry.Name} ({entry.Kind}), seed {seed}: reusing {resultPath}");
            return done["test_acc"]!.GetValue<double>();
        }
        log($"{entry.Name} ({entry.Kind}), seed {seed}: training {entry.Recipe.Epochs} epoch(s) into {dir}");
        VisionModel Train(ICommunicator world)
        {
            var model = entry.Model.Create(settings.Options with { Seed = seed });
            if (entry.InitWeights is { } init) model.LoadWeights(init, strict: true);
            if (settings.SyncBatchNorm) SyncBatchNorm.Convert(model, world);
            var trainer = new Trainer(model, training(seed), null, entry.Recipe, dir, progress, world: world);
            trainer.Run(resume: File.Exists(trainer.CheckpointPath));
            return model;
        }
        var trained = Replicas.First(settings.Replicas, Train);
        var result = Evaluator.Evaluate(trained, test);
        log($"{entry.Name} ({entry.Kind}), seed {seed}: test top-1 {result.Top1:P2}");
        WriteAtomically(resultPath, new JsonObject { ["identity"] = identity, ["seed"] = seed, ["test_acc"] = result.Top1, ["test_loss"] = result.Loss });
        return result.Top1;
    }

    // Eval-mode forward of the model (its weights do not change the time), measured once per model and thread count.
    private (double Batch1, double Batch64) Latency(ComparisonEntry entry)
    {
        string path = Path.Combine(settings.Output, "runs", entry.Id, "latency.json");
        string identity = $"{Identity(entry)}; {EngineSettings.Threads} thread(s)";
        if (File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject known && known["identity"]?.GetValue<string>() == identity)
            return (known["batch1_ms"]!.GetValue<double>(), known["batch64_ms"]!.GetValue<double>());
        var model = entry.Model.Create(settings.Options);
        double b1 = 1000 * ForwardTimer.MedianSeconds(model, 1, minSeconds: 0.2, minRuns: 10);
        double b64 = 1000 * ForwardTimer.MedianSeconds(model, 64, minSeconds: 0.5, minRuns: 3);
        WriteAtomically(path, new JsonObject { ["identity"] = identity, ["batch1_ms"] = b1, ["batch64_ms"] = b64 });
        return (b1, b64);
    }

    private string Identity(ComparisonEntry entry) => string.Create(CultureInfo.InvariantCulture,
        $"{entry.Kind} {entry.Name}: {entry.Key ?? entry.Description}; {entry.Profile.Params} params, {entry.Profile.Macs} MACs at {settings.Options.Input}, {settings.Options.NumClasses} classes; "
        + $"init {entry.InitWeights ?? "fresh"}; {entry.Recipe}; data {settings.Data}") + ReplicasIdentity();

    // Runs of one replica keep the identity they had before replicas existed, so that their results are still reused.
    private string ReplicasIdentity() =>
        settings.Replicas > 1 ? $"; {settings.Replicas} replicas{(settings.SyncBatchNorm ? ", batch norm synchronised" : "")}" : "";

    private static JsonObject Row(ComparisonEntry entry, List<double> accuracies, double batch1, double batch64)
    {
        double mean = accuracies.Average();
        double? sd = accuracies.Count < 2 ? null : Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Count - 1));
        return new JsonObject
        {
            ["name"] = entry.Name, ["kind"] = entry.Kind, ["arch"] = entry.Description, ["key"] = entry.Key,
            ["params"] = entry.Profile.Params, ["macs"] = entry.Profile.Macs, ["in_budget"] = entry.InBudget,
            ["epochs"] = entry.Recipe.Epochs, ["init"] = entry.InitWeights is null ? "scratch" : "inherited",
            ["test_acc"] = new JsonArray(accuracies.Select(a => (JsonNode?)a).ToArray()),
            ["mean_test_acc"] = mean, ["sd_test_acc"] = sd,
            ["latency_ms_batch1"] = batch1, ["latency_ms_batch64"] = batch64,
        };
    }

    private JsonObject Save(JsonArray rows)
    {
        var budget = settings.Budget;
        var doc = new JsonObject
        {
            ["budget"] = new JsonObject { ["params"] = Window(budget.Params), ["macs"] = Window(budget.Macs) },
            ["input"] = settings.Options.Input.ToString(), ["num_classes"] = settings.Options.NumClasses,
            ["seeds"] = settings.Seeds, ["first_seed"] = settings.FirstSeed, ["threads"] = EngineSettings.Threads, ["data"] = settings.Data,
            ["rows"] = rows.DeepClone(),
        };
        WriteAtomically(Path.Combine(settings.Output, ResultsFile), doc);
        return doc;
    }

    private static JsonObject Window(Search.CostWindow w) => new() { ["min"] = w.Min, ["max"] = w.Max };

    private static void WriteAtomically(string path, JsonObject doc)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path + ".tmp", doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
