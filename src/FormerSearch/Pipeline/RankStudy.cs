using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Models;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Pipeline;

/// <summary>
/// AutoFormer's Table 1 at small scale: do inherited weights rank subnets as training them alone would? Samples
/// subnets of a trained supernet, scores each with inherited weights (BN recalibrated) on the held-out images, trains
/// each alone from scratch (with one or more seeds, their mean accuracy standing for the subnet), scores it again, and
/// reports Kendall's τ with a bootstrap 95 % interval, Spearman's ρ, and the seed-to-seed spread of the stand-alone
/// accuracies. Each stand-alone training is its own resumable run under <c>OUTPUT/subnet-NN</c> (first seed) or
/// <c>OUTPUT/subnet-NN-seed-K</c> (seed K ≥ 1); finished ones are reused. With fine-tuning steps, each subnet is also scored
/// after that many steps from its inherited weights (under <c>OUTPUT/subnet-NN-finetune-S</c>), and τ is reported for that
/// score too: a cheaper proxy than training alone, and one that lets each subnet's own capacity show.
/// </summary>
/// <param name="folders">How an image-folder data set is read (its decode size is the supernet's input); null for other data sets.</param>
public sealed class RankStudy(SupernetDirectory folder, string? dataDir, string output, ITrainingProgress progress, Action<string> log,
    ImageFolderOptions? folders = null)
{
    /// <summary>
    /// Runs the study for <paramref name="samples"/> subnets trained <paramref name="epochs"/> epochs (or <paramref name="maxSteps"/>
    /// steps) each, <paramref name="seeds"/> times with other weights and data order: drawn by the space's sampler, or with
    /// <paramref name="spread"/> picked evenly across the MACs range.
    /// </summary>
    /// <exception cref="UserInputException">Fewer than two samples or one seed, or the space cannot give that many distinct subnets.</exception>
    /// <param name="finetuneSteps">Steps of fine-tuning from the inherited weights to score each subnet by as well (at half the learning rate, no warm-up, as <c>former search</c> fine-tunes); null for none.</param>
    public JsonObject Run(int samples, int epochs, int? maxSteps, ulong seed, bool spread = false, int batchSize = 128, int bnBatches = BatchNormCalibration.DefaultBatches, int seeds = 1,
        int? finetuneSteps = null)
    {
        if (samples < 2) throw new UserInputException($"--samples {samples} is invalid: a rank correlation needs at least 2 subnets.");
        if (seeds < 1) throw new UserInputException($"--seeds {seeds} is invalid: each subnet is trained alone at least once.");
        var space = folder.CreateSpace();
        var supernet = folder.LoadSupernet();
        var splits = DataSplits.Open(DatasetSpec.Parse(folder.Dataset), dataDir, folder.ValSize, folder.Seed, folders);
        var validation = splits.Validation ?? throw new UserInputException($"The supernet in {folder.Path} held out no images to rank on (val_size 0).");
        var options = folder.ModelOptions;
        var evaluation = DataLoader.ForEvaluation(validation, 256, options.Input, options.NumClasses);
        var calibration = BatchNormCalibration.Batches(splits.Train, options.Input, options.NumClasses, seed);
        var training = Enumerable.Range(0, seeds).Select(k =>
            DataLoader.ForTraining(splits.Train, batchSize, Augmentation.Default(splits.Train), options.Input, options.NumClasses, SeedOf(seed, k))).ToArray();
        Directory.CreateDirectory(output);

        var architectures = Pick(space, options, samples, seed, spread);
        var inherited = new List<double>();
        var finetuned = new List<double>();
        var standalone = new List<double>();
        var perSeed = new List<double[]>();
        var pairs = new JsonArray();
        for (int i = 0; i < architectures.Count; i++)
        {
            var architecture = architectures[i];
            double fromSupernet = InheritedAccuracy.Evaluate(supernet, architecture, evaluation, calibration, bnBatches).Top1;
            double? afterFinetune = finetuneSteps is { } steps
                ? Finetuned(supernet.Extract(architecture), training[0], steps, Path.Combine(output, $"subnet-{i:D2}-finetune-{steps}"), evaluation)
                : null;
            var accuracies = new double[seeds];
            for (int k = 0; k < seeds; k++)
            {
                var model = space.CreateModel(architecture, options with { Seed = SeedOf(seed, k) + (ulong)i });
                var trainer = new Trainer(model, training[k], null, new TrainingOptions { Epochs = epochs, MaxSteps = maxSteps, WarmupEpochs = Math.Min(1, epochs / 5.0) },
                    Path.Combine(output, k == 0 ? $"subnet-{i:D2}" : $"subnet-{i:D2}-seed-{k}"), progress);
                trainer.RunOrReuse();
                accuracies[k] = Evaluator.Evaluate(model, evaluation).Top1;
            }
            double alone = accuracies.Average();
            if (afterFinetune is { } f) finetuned.Add(f);
            log($"subnet {i + 1}/{architectures.Count}: inherited {fromSupernet:P2}{(afterFinetune is { } a ? $", fine-tuned {a:P2}" : "")}, trained alone {alone:P2}{(seeds > 1 ? $" (mean of {seeds} seeds)" : "")} — {architecture.Key}");
            inherited.Add(fromSupernet);
            standalone.Add(alone);
            perSeed.Add(accuracies);
            var cost = space.Profile(architecture, options);
            var pair = new JsonObject
            {
                ["arch"] = architecture.Key, ["params"] = cost.Params, ["macs"] = cost.Macs, ["inherited_val_acc"] = fromSupernet, ["standalone_val_acc"] = alone,
            };
            if (seeds > 1) pair["standalone_val_accs"] = new JsonArray(accuracies.Select(a => (JsonNode)a).ToArray());
            if (afterFinetune is { } tuned) pair["finetuned_val_acc"] = tuned;
            pairs.Add(pair);
        }
        var (low, high) = RankCorrelation.KendallTauInterval(inherited, standalone, RankCorrelation.DefaultResamples, seed);
        var result = new JsonObject
        {
            ["supernet"] = Path.GetFullPath(folder.Path),
            ["samples"] = architectures.Count,
            ["sampling"] = spread ? "spread" : "uniform",
            ["epochs"] = epochs,
            ["seeds"] = seeds,
            ["bn_batches"] = bnBatches,
            ["kendall_tau"] = Number(RankCorrelation.KendallTau(inherited, standalone)),
            ["kendall_tau_ci95"] = new JsonArray(Number(low), Number(high)),
            ["bootstrap_resamples"] = RankCorrelation.DefaultResamples,
            ["standalone_seed_sd"] = seeds > 1 ? PooledSd(perSeed) : null,
            ["spearman_rho"] = Number(RankCorrelation.SpearmanRho(inherited, standalone)),
            ["pairs"] = pairs,
        };
        if (finetuneSteps is { } s)
        {
            var (fineLow, fineHigh) = RankCorrelation.KendallTauInterval(finetuned, standalone, RankCorrelation.DefaultResamples, seed);
            result["finetune_steps"] = s;
            result["finetuned_kendall_tau"] = Number(RankCorrelation.KendallTau(finetuned, standalone));
            result["finetuned_kendall_tau_ci95"] = new JsonArray(Number(fineLow), Number(fineHigh));
            result["finetuned_spearman_rho"] = Number(RankCorrelation.SpearmanRho(finetuned, standalone));
        }
        AtomicFile.WriteAllText(Path.Combine(output, "rank_study.json"), result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return result;
    }

    // The held-out accuracy of an extracted subnet after `steps` steps from its inherited weights (a finished run is reused).
    private double Finetuned(VisionModel model, DataLoader data, int steps, string dir, DataLoader evaluation)
    {
        int epochs = (int)Math.Min(TrainingOptions.MaxEpochs, (steps + (long)data.BatchesPerEpoch - 1) / data.BatchesPerEpoch);
        var trainer = new Trainer(model, data, null, TrainingOptions.FromInherited(epochs, steps), dir, progress);
        trainer.RunOrReuse();
        return Evaluator.Evaluate(model, evaluation).Top1;
    }

    /// <summary>
    /// The seed-to-seed standard deviation of repeated measurements: the square root of the mean, over the groups, of each
    /// group's sample variance (n − 1); every group holds at least two values.
    /// </summary>
    /// <exception cref="ArgumentException">No group, or a group of fewer than two values.</exception>
    public static double PooledSd(IReadOnlyList<IReadOnlyList<double>> groups)
    {
        if (groups.Count == 0 || groups.Any(g => g.Count < 2)) throw new ArgumentException("A pooled standard deviation needs groups of at least two values.", nameof(groups));
        double variances = 0;
        foreach (var g in groups)
        {
            double mean = g.Average();
            variances += g.Sum(v => (v - mean) * (v - mean)) / (g.Count - 1);
        }
        return Math.Sqrt(variances / groups.Count);
    }

    // Seed k of the stand-alone runs: the study's own seed first (the runs of a one-seed study stay what they were).
    private static ulong SeedOf(ulong seed, int k) => seed + 0x9E3779B97F4A7C15UL * (ulong)k;

    // JSON has no NaN: τ, ρ or a bound that is undefined (one side tied throughout, or every resample constant) is null.
    private static JsonNode? Number(double value) => double.IsNaN(value) ? null : JsonValue.Create(value);

    /// <summary>
    /// <paramref name="count"/> distinct architectures: the first ones the space's sampler draws, or with <paramref name="spread"/>,
    /// of 20 times as many draws the ones at evenly spaced MACs ranks (smallest and largest drawn included), smallest first.
    /// Uniform draws of a large space sit close together in size and accuracy, so their ranking is mostly noise.
    /// </summary>
    /// <exception cref="UserInputException">The space cannot give that many distinct subnets.</exception>
    public static List<Architecture> Pick(ISearchSpace space, ModelOptions options, int count, ulong seed, bool spread)
    {
        var drawn = Distinct(space, spread ? 20 * count : count, seed, atLeast: count);
        if (!spread || drawn.Count <= count) return drawn;
        var bySize = drawn.OrderBy(a => space.Profile(a, options).Macs).ThenBy(a => a.Key, StringComparer.Ordinal).ToList();
        return Enumerable.Range(0, count).Select(i => bySize[(int)Math.Round(i * (bySize.Count - 1) / (double)(count - 1))]).ToList();
    }

    private static List<Architecture> Distinct(ISearchSpace space, int count, ulong seed, int atLeast)
    {
        var rng = new Generator(seed);
        var seen = new HashSet<Architecture>();
        var list = new List<Architecture>();
        for (int attempt = 0; list.Count < count; attempt++)
        {
            if (attempt > 100 * count)
            {
                if (list.Count >= atLeast) break;
                throw new UserInputException($"The {space.Name} ({space.Preset}) space gave only {list.Count} distinct subnets in {attempt} draws; ask for fewer --samples.");
            }
            var a = space.Sample(rng);
            if (seen.Add(a)) list.Add(a);
        }
        return list;
    }
}
