using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Inference;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Reports;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Studies;
using FormerSearch.Supernets;
using FormerSearch.Training;
using FormerSearch.Engine;
using FormerSearch.Engine.Distributed;
using FormerSearch.Engine.IO;

namespace FormerSearch.Pipeline;

/// <summary>
/// <c>former search</c> end to end, into one folder: train the supernet (<c>supernet/</c>), search it under the budget
/// (<c>study.sqlite</c>, or a shared study on PostgreSQL), optionally re-rank the best few after a short fine-tuning each
/// (<c>rerank/</c>), extract the best subnet (<c>best/</c>), fine-tune it (<c>finetune/</c>), test it
/// (<c>summary.json</c>) and draw the report (<c>report.html</c>). Each stage is skipped or resumed when an earlier,
/// interrupted run of the same settings (recorded in <c>search.json</c>) got that far; every file is written atomically.
/// </summary>
/// <param name="reporter">Where an image folder's decoding progress and skipped files are shown (null: nowhere).</param>
public sealed partial class SearchPipeline(SearchPipelineSettings settings, ITrainingProgress progress, Action<string> log, IImageFolderReporter? reporter = null)
{
    /// <summary>
    /// Runs every stage and returns the summary (also written to <c>summary.json</c>); with
    /// <see cref="SearchPipelineSettings.WorkersOnly"/>, only the search's evaluations, and returns what this worker did.
    /// </summary>
    /// <exception cref="UserInputException">Unknown space, a data set that cannot be read, a budget no architecture meets, an output or supernet folder that does not fit these settings, or a study that cannot be opened (or, for a worker, does not exist).</exception>
    public JsonObject Run(bool resume)
    {
        string root = settings.Output;
        bool started = Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any();
        if (!resume && !settings.WorkersOnly && started)
            throw new UserInputException($"{root} already holds a search; pass --resume to continue it or choose another --output.");
        if (started) SearchSettingsFile.CheckSame(root, settings); // before anything in the folder is written
        Directory.CreateDirectory(root);
        var space = SearchSpaces.Create(settings.Space, settings.SpacePreset);
        var algorithm = Algorithm(); // checked before any work
        // The study before any work too: a wrong URL or an unreachable server is told before hours of supernet training.
        using var study = settings.WorkersOnly ? Study.Open(settings.StudyLocation, space) : Study.OpenOrCreate(settings.StudyLocation, space);
        var spec = DatasetSpec.Parse(settings.Dataset);
        var folders = spec.Kind != DatasetKind.Folder ? null : new ImageFolderOptions
        {
            Input = space.DefaultInput, CacheDirectory = settings.CacheDir, TestSize = settings.TestSize, StrictImages = settings.StrictImages,
            Threads = EngineSettings.Threads, Reporter = reporter ?? SilentReporter.Instance,
        };
        if (folders is null && settings.TestSize > 0) throw new UserInputException($"--test-size holds test images out of an image folder; {spec} has its own test set.");
        var splits = DataSplits.Open(spec, settings.DataDir, settings.ValSize, settings.HeldOutSeed, folders);
        var options = ModelOptions.For(space.DefaultInput, splits.Train.NumClasses);
        _card = ModelCard.ForData(splits.Train, options.Input, options.NumClasses, spec.ToString(), settings.ValSize, settings.TestSize, settings.HeldOutSeed);
        var latency = new ForwardLatencyMeter(space, options, settings.LatencyBatch);
        var constraints = Budget(space, options);
        constraints.Validate(space, options, constraints.Latency.IsBounded ? latency : null);

        if (!started) SearchSettingsFile.Save(root, settings);
        AtomicFile.RemoveStale(root); // temporaries of writers killed in an earlier run here
        AtomicFile.RemoveStale(Path.Combine(root, "best"));
        var supernet = TrainSupernet(space, splits, options);
        BufferPool.Trim(); // each stage's activations have other sizes; what training pooled is not needed again
        if (settings.WorkersOnly) return Work(study, space, splits, options, supernet, constraints, latency, algorithm);
        var (best, result) = SearchSupernet(study, space, splits, options, supernet, constraints, latency, algorithm, resume, out _);
        BufferPool.Trim();
        JsonArray? reranked = null;
        if (settings.RerankTop > 0) (best, reranked) = Rerank(study, space, result, splits, options, supernet);
        var summary = FinishBest(space, splits, options, supernet, best, reranked);
        HtmlReport.Write([settings.StudyLocation], Path.Combine(root, "report.html"),
            new ReportOptions { Title = $"{space.Name} ({space.Preset}) on {splits.Train.Name}: {KindNames.Of(result.Algorithm)}" });
        log($"report: {Path.Combine(root, "report.html")}");
        return summary;
    }

    // The data's model card, written into every weights file of the run (the supernet's, and the best subnet's with its architecture).
    private ModelCard _card = new();

    private Constraints Budget(ISearchSpace space, ModelOptions options)
    {
        var given = settings.Constraints ?? Constraints.None;
        if (given.Macs.IsBounded || given.Params.IsBounded || given.Latency.IsBounded) return given;
        // No budget given: the middle of the space's MACs range, so the search has to trade size for accuracy.
        long small = space.Profile(space.Smallest(), options).Macs, large = space.Profile(space.Largest(), options).Macs;
        return given with { Macs = new CostWindow(null, small + (large - small) / 2.0) };
    }

    private Supernet TrainSupernet(ISearchSpace space, DataSplits splits, ModelOptions options)
    {
        var folder = new SupernetDirectory(Path.Combine(settings.Output, "supernet"), space.Name, space.Preset, options.Input, options.NumClasses,
            settings.Sampler, settings.Dataset, settings.ValSize, settings.HeldOutSeed) { Distill = settings.Distill, HeadSplits = settings.HeadSplits };
        if (settings.Supernet is { } given)
        {
            var trained = SupernetDirectory.Load(given);
            if (trained.FirstDifference(folder) is { } difference)
                throw new UserInputException($"The supernet in {given} was trained on other settings than this search's ({difference}).");
            log($"supernet: searching the trained supernet in {given}");
            return trained.LoadSupernet();
        }
        if (File.Exists(Path.Combine(folder.Path, SupernetDirectory.SpaceFile)) && SupernetDirectory.Load(folder.Path).FirstDifference(folder) is { } changed)
            throw new UserInputException($"{folder.Path} holds a supernet trained on other settings ({changed}); choose another --output.");
        if (File.Exists(folder.WeightsPath))
        {
            log($"supernet: reusing {folder.WeightsPath}");
            return folder.LoadSupernet();
        }
        folder.Save();
        var loader = TrainLoader(splits.Train, Augmentation.Default(splits.Train), options);
        // Warm up over the first tenth of the steps, however short the run.
        int steps = Math.Min(settings.SupernetEpochs * loader.BatchesPerEpoch, settings.SupernetMaxSteps ?? int.MaxValue);
        var recipe = new TrainingOptions
        {
            Epochs = settings.SupernetEpochs, MaxSteps = settings.SupernetMaxSteps, WarmupEpochs = 0.1 * steps / loader.BatchesPerEpoch,
        };
        log($"supernet: training the {space.Name} ({space.Preset}) supernet with {folder.TrainingRule} on {splits.Train.Count} images into {folder.Path}"
            + (settings.Replicas > 1 ? $", {settings.Replicas} replicas of {settings.BatchSize / settings.Replicas} images per step" : ""));
        Supernet Train(ICommunicator world)
        {
            var supernet = space.CreateSupernet(options with { Seed = settings.Seed }, settings.HeadSplits);
            var trainer = new Trainer(supernet, loader, null, recipe, folder.Path, progress, new SubnetSampler(supernet, settings.Sampler, settings.Seed, settings.Distill), world)
            {
                WeightsFileName = SupernetDirectory.WeightsFile,
                Card = _card,
            };
            trainer.Run(resume: File.Exists(trainer.CheckpointPath));
            return supernet;
        }
        // Rank 0's replica: every replica ends with the same weights, rank 0's batch-norm statistics are those of its own part.
        return Replicas.First(settings.Replicas, Train);
    }

    // A worker joins the run the starting search began (waiting for it), evaluates its share and reports how many it evaluated.
    private JsonObject Work(Study study, ISearchSpace space, DataSplits splits, ModelOptions options, Supernet supernet, Constraints constraints,
        ILatencyMeter latency, ISearchAlgorithm algorithm)
    {
        string run = KindNames.Of(algorithm.Kind);
        if (!study.Runs().Any(r => r.Name == run))
        {
            log($"worker: waiting for the search to start its {run} run in {study.Path}");
            while (!study.Runs().Any(r => r.Name == run)) Thread.Sleep(study.PollInterval * 4);
        }
        var (_, result) = SearchSupernet(study, space, splits, options, supernet, constraints, latency, algorithm, resume: true, out int evaluatedHere);
        log($"worker: evaluated {evaluatedHere} of the run's {result.Evaluated} candidates");
        return new JsonObject { ["output"] = Path.GetFullPath(settings.Output), ["study"] = study.Path, ["run"] = run, ["evaluated"] = result.Evaluated, ["evaluated_here"] = evaluatedHere };
    }

    private (Candidate Best, SearchResult Result) SearchSupernet(Study study, ISearchSpace space, DataSplits splits, ModelOptions options, Supernet supernet,
        Constraints constraints, ILatencyMeter latency, ISearchAlgorithm algorithm, bool resume, out int evaluatedHere)
    {
        var scored = ScoredSet(splits);
        var calibration = TrainLoader(splits.Train, Augmentation.None, options);
        var evaluator = new SupernetCandidateEvaluator(supernet, DataLoader.ForEvaluation(scored, 256, options.Input, options.NumClasses),
            DataLoader.ForEvaluation(splits.Test, 256, options.Input, options.NumClasses), calibration, settings.BnBatches);
        log($"search: {KindNames.Of(algorithm.Kind)} under {constraints} on {scored.Count} held-out images, study {study.Path}");
        int lastLogged = -1, here = 0;
        var context = new SearchContext
        {
            Space = space, Study = study, Evaluator = evaluator, Constraints = constraints, CostOptions = options, Resume = resume,
            // Timing every candidate costs seconds each; only a latency budget or objective needs it.
            LatencyMeter = constraints.Latency.IsBounded || algorithm.Kind == SearchAlgorithmKind.Pareto ? latency : null,
            Progress = e =>
            {
                if (!e.FromStudy) here++;
                if (e.Generation == lastLogged && e.Evaluated < e.Budget) return;
                lastLogged = e.Generation;
                log($"search: generation {e.Generation}, {e.Evaluated}/{e.Budget} evaluated, best {e.BestAccuracy:P2}");
            },
        };
        var result = algorithm.Run(context);
        evaluatedHere = here;
        log($"search: best {result.Best.Key} ({result.Best.ValidationAccuracy:P2} ± {StandardError(result.Best.ValidationAccuracy, scored.Count):P2} held-out with inherited weights, "
            + $"the standard error of an accuracy on {scored.Count:N0} images)");
        return (result.Best, result);
    }

    // Held-out images each candidate is scored on: the first SearchValImages of the held-out set, or all of it.
    private int ScoredImages(DataSplits splits) => Math.Min(settings.SearchValImages, splits.Validation?.Count ?? 0);

    // The held-out images themselves (SearchValImages of them, drawn with the search's seed).
    private ImageDataset ScoredSet(DataSplits splits)
    {
        var validation = splits.Validation ?? throw new UserInputException("The search needs held-out images: --val-size must be positive.");
        return settings.SearchValImages < validation.Count ? HoldOut.Split(validation, settings.SearchValImages, settings.Seed).Val : validation;
    }

    /// <summary>
    /// The standard error of an accuracy <paramref name="p"/> measured on <paramref name="images"/> images, √(p(1−p)/n)
    /// (each image a Bernoulli trial): candidates whose scores differ by less than about twice it are not told apart.
    /// </summary>
    internal static double? StandardError(double? p, int images) =>
        p is { } accuracy && images > 0 ? Math.Sqrt(Math.Clamp(accuracy, 0, 1) * (1 - Math.Clamp(accuracy, 0, 1)) / images) : null;

    // The standalone model of `architecture` with the supernet's weights, its batch-norm statistics re-estimated first
    // (as the search scored it).
    private VisionModel ExtractCalibrated(Supernet supernet, Architecture architecture, DataLoader calibration)
    {
        supernet.Activate(architecture);
        BatchNormCalibration.Recalibrate(supernet, calibration, settings.BnBatches);
        return supernet.Extract(architecture);
    }

    // labelSmoothing only matters to a mixing augmentation (it is folded into the mixed targets).
    private DataLoader TrainLoader(ImageDataset train, Augmentation augmentation, ModelOptions options, float labelSmoothing = 0f) =>
        DataLoader.ForTraining(train, settings.BatchSize, augmentation, options.Input, options.NumClasses, settings.Seed, labelSmoothing);

    private ISearchAlgorithm Algorithm() => SearchAlgorithms.Create(settings.Algorithm, settings.Seed,
        EvolutionSettings.Scaled(settings.Population, settings.Generations) with { TestTopK = settings.TestTopK });

    private JsonObject FinishBest(ISearchSpace space, DataSplits splits, ModelOptions options, Supernet supernet, Candidate best, JsonArray? reranked)
    {
        string summaryPath = Path.Combine(settings.Output, "summary.json");
        if (File.Exists(summaryPath))
        {
            var (done, doneKey) = SearchSummaryFile.Read(summaryPath);
            if (doneKey == best.Key)
            {
                log($"best: reusing {summaryPath}");
                return done;
            }
        }
        string bestDir = Path.Combine(settings.Output, "best");
        Directory.CreateDirectory(bestDir);
        AtomicFile.WriteAllText(Path.Combine(bestDir, "model.arch.json"), best.Architecture.ToJson() + "\n");
        string init = Path.Combine(bestDir, "inherited.safetensors");
        var calibration = TrainLoader(splits.Train, Augmentation.None, options);
        var model = ExtractCalibrated(supernet, best.Architecture, calibration);
        var card = _card.WithModel(null, best.Architecture.ToJson());
        card.Save(model, init);

        bool finetuned = settings.FinetuneEpochs > 0 || settings.FinetuneMaxSteps is not null;
        // Fine-tuned on the held-out images too, the model has no held-out score left to report.
        bool heldOutSeen = finetuned && settings.FinetuneImages == FinetuneImages.All;
        if (finetuned)
        {
            string finetuneDir = Path.Combine(settings.Output, "finetune");
            var images = heldOutSeen ? splits.AllTraining : splits.Train;
            var recipe = TrainingOptions.FromInherited(settings.FinetuneEpochs, settings.FinetuneMaxSteps);
            var augmentation = Augmentation.Default(images) with
            {
                RandomErasingProb = settings.FinetuneRandomErasing, MixupAlpha = settings.FinetuneMixup, CutmixAlpha = settings.FinetuneCutmix,
            };
            // Label smoothing goes into the mixed targets as `former train` puts it (timm's mixup does the same).
            var loader = TrainLoader(images, augmentation, options, recipe.LabelSmoothing);
            log($"finetune: {best.Key} for {(settings.FinetuneMaxSteps is { } s ? $"{s} steps" : $"{settings.FinetuneEpochs} epoch(s)")} on {images.Count} images into {finetuneDir}");
            // One extracted copy per replica, made here (the supernet is not to be read by several threads at once), with the fine-tuning's stochastic depth.
            var copies = new VisionModel[settings.Replicas];
            for (int r = 0; r < copies.Length; r++) copies[r] = supernet.Extract(best.Architecture, settings.FinetuneDropPath);
            string Finetune(ICommunicator world)
            {
                var trainer = new Trainer(copies[world.Rank], loader, null, recipe, finetuneDir, progress, world: world) { Card = card };
                trainer.Run(resume: File.Exists(trainer.CheckpointPath));
                return trainer.ModelPath;
            }
            string weights = Replicas.First(settings.Replicas, Finetune);
            AtomicFile.Copy(weights, Path.Combine(bestDir, "model.safetensors"));
            // Rank 0's replica holds the weights just saved: the summary scores it, not the inherited copy.
            model = copies[0];
        }
        else
        {
            log($"finetune: none; {best.Key} keeps its inherited weights");
            AtomicFile.Copy(init, Path.Combine(bestDir, "model.safetensors"));
        }

        double? val = heldOutSeen ? null : Evaluator.Evaluate(model, DataLoader.ForEvaluation(splits.Validation!, 256, options.Input, options.NumClasses)).Top1;
        var test = Evaluator.Evaluate(model, DataLoader.ForEvaluation(splits.Test, 256, options.Input, options.NumClasses));
        var summary = new JsonObject
        {
            ["output"] = Path.GetFullPath(settings.Output),
            ["best"] = new JsonObject
            {
                ["arch"] = JsonNode.Parse(best.Architecture.ToJson()),
                ["key"] = best.Key,
                ["params"] = best.Params,
                ["macs"] = best.Macs,
                ["inherited_val_acc"] = best.ValidationAccuracy,
                ["inherited_val_acc_se"] = StandardError(best.ValidationAccuracy, ScoredImages(splits)),
                ["scored_images"] = ScoredImages(splits),
                ["val_acc"] = val,
                ["test_acc"] = test.Top1,
                ["weights"] = Path.GetFullPath(Path.Combine(bestDir, "model.safetensors")),
                ["arch_file"] = Path.GetFullPath(Path.Combine(bestDir, "model.arch.json")),
            },
            ["data"] = new JsonObject
            {
                ["train_images"] = splits.Train.Count, ["val_images"] = splits.Validation!.Count, ["test_images"] = splits.Test.Count,
                ["skipped_images"] = splits.Train.Skipped.Count,
            },
        };
        if (reranked is not null) summary["rerank"] = reranked;
        AtomicFile.WriteAllText(summaryPath, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        log($"best: test top-1 {test.Top1:P2} {(finetuned ? "after fine-tuning" : "with its inherited weights")} ({best.Params:N0} params, {best.Macs:N0} MACs)");
        return summary;
    }
}
