using System.Text.Json.Nodes;
using FormerSearch.Data;
using FormerSearch.Engine.Distributed;
using FormerSearch.Models;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Studies;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Pipeline;

public sealed partial class SearchPipeline
{
    /// <summary>
    /// The best of <see cref="SearchPipelineSettings.RerankTop"/> candidates of the search after each is trained
    /// <see cref="SearchPipelineSettings.RerankEpochs"/> epochs (one run per candidate under <c>rerank/NN</c>, resumed or
    /// reused) and scored on held-out images; ties go to the better inherited score. From inherited weights
    /// (<see cref="RerankStart.Inherited"/>; batch norm recalibrated first, the winner's fine-tuning recipe, the search's
    /// held-out images): inherited weights tell BurgerFormer subnets apart hardly at all (their scores span less than twice
    /// their standard error), a short fine-tuning lets each subnet's own capacity show. From scratch
    /// (<see cref="RerankStart.Scratch"/>; <c>former train</c>'s default recipe, every held-out image): what each would
    /// reach trained alone.
    /// </summary>
    private (Candidate Best, JsonArray Scores) Rerank(Study study, ISearchSpace space, SearchResult result, DataSplits splits, ModelOptions options, Supernet supernet)
    {
        bool scratch = settings.RerankFrom == RerankStart.Scratch;
        var candidates = scratch ? DistinctSizes(study, space, result.Run) : result.Top.Take(settings.RerankTop).ToList();
        var scoredOn = scratch ? splits.Validation! : ScoredSet(splits);
        var evaluation = DataLoader.ForEvaluation(scoredOn, 256, options.Input, options.NumClasses);
        var calibration = TrainLoader(splits.Train, Augmentation.None, options);
        var recipe = scratch ? new TrainingOptions { Epochs = settings.RerankEpochs } : TrainingOptions.FromInherited(settings.RerankEpochs, null);
        var loader = TrainLoader(splits.Train, Augmentation.Default(splits.Train), options);
        string how = scratch ? "from fresh weights" : "from their inherited weights";
        log($"rerank: training the best {candidates.Count} candidates{(scratch ? " of distinct sizes" : "")} {settings.RerankEpochs} epoch(s) each {how}, scored on {scoredOn.Count:N0} held-out images");
        var scores = new JsonArray();
        Candidate best = candidates[0];
        double bestScore = double.NegativeInfinity;
        for (int i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            // One model per replica, made here (the supernet is not to be read by several threads at once); a fresh model's
            // replicas start from rank 0's weights.
            var copies = new VisionModel[scratch ? settings.Replicas : 1];
            for (int r = 0; r < copies.Length; r++)
                copies[r] = scratch ? space.CreateModel(candidate.Architecture, options with { Seed = settings.Seed }) : ExtractCalibrated(supernet, candidate.Architecture, calibration);
            string dir = Path.Combine(settings.Output, "rerank", $"{i:D2}");
            var card = _card.WithModel(null, candidate.Architecture.ToJson());
            string Train(ICommunicator world)
            {
                var trainer = new Trainer(copies[world.Rank], loader, null, recipe, dir, progress, world: world) { Card = card };
                trainer.RunOrReuse();
                return trainer.ModelPath;
            }
            Replicas.First(copies.Length, Train);
            double score = Evaluator.Evaluate(copies[0], evaluation).Top1;
            log($"rerank: {i + 1}/{candidates.Count}: {candidate.ValidationAccuracy:P2} inherited, {score:P2} after training — {candidate.Key}");
            scores.Add(new JsonObject
            {
                ["key"] = candidate.Key, ["params"] = candidate.Params, ["macs"] = candidate.Macs,
                ["inherited_val_acc"] = candidate.ValidationAccuracy, [scratch ? "scratch_val_acc" : "finetuned_val_acc"] = score,
            });
            // Candidates come best inherited score first, so a tie keeps the earlier one.
            if (score > bestScore) (best, bestScore) = (candidate, score);
        }
        log($"rerank: best {best.Key} ({bestScore:P2} after training)");
        return (best, scores);
    }

    /// <summary>
    /// The run's scored candidates, best inherited score first (the first drawn among equals), each the best of its sizes
    /// (the values of every <see cref="ChoiceKind.Size"/> choice), as many as <see cref="SearchPipelineSettings.RerankTop"/>.
    /// </summary>
    private List<Candidate> DistinctSizes(Study study, ISearchSpace space, string run)
    {
        var stored = study.Candidates().ToDictionary(c => c.Key);
        var sizes = space.Choices.Where(c => c.Kind == ChoiceKind.Size).Select(c => c.Name).ToList();
        string SizesOf(Architecture a) => string.Join(";", sizes.Where(a.Contains).Select(name => $"{name}={a[name]}"));
        return [.. study.Members(run)
            .Select(m => (Member: m, Stored: stored[m.Key]))
            .Where(c => c.Stored.ValidationAccuracy is { } accuracy && double.IsFinite(accuracy))
            .Select(c => new Candidate(Architecture.FromJson(c.Stored.ArchitectureJson, study.Path), c.Stored.Params, c.Stored.Macs, c.Stored.Latency,
                c.Member.Generation, c.Member.Origin, c.Member.Parents) { ValidationAccuracy = c.Stored.ValidationAccuracy })
            .OrderByDescending(c => c.ValidationAccuracy)
            .DistinctBy(c => SizesOf(c.Architecture))
            .Take(settings.RerankTop)];
    }
}
