using System.Text.Json.Nodes;
using FormerSearch.Data;
using FormerSearch.Models;
using FormerSearch.Search;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Pipeline;

public sealed partial class SearchPipeline
{
    /// <summary>
    /// The best of the search's top <see cref="SearchPipelineSettings.RerankTop"/> candidates after each is fine-tuned
    /// <see cref="SearchPipelineSettings.RerankEpochs"/> epochs from its inherited weights (batch norm recalibrated first, the
    /// fine-tuning recipe of the winner's, one run per candidate under <c>rerank/NN</c>, resumed or reused) and scored on the
    /// held-out images the search scored it on; ties go to the better inherited score. Inherited weights tell BurgerFormer
    /// subnets apart hardly at all (their scores span less than twice their standard error), a short fine-tuning lets each
    /// subnet's own capacity show.
    /// </summary>
    private (Candidate Best, JsonArray Scores) Rerank(SearchResult result, DataSplits splits, ModelOptions options, Supernet supernet)
    {
        var candidates = result.Top.Take(settings.RerankTop).ToList();
        var evaluation = DataLoader.ForEvaluation(ScoredSet(splits), 256, options.Input, options.NumClasses);
        var calibration = TrainLoader(splits.Train, Augmentation.None, options);
        var loader = TrainLoader(splits.Train, Augmentation.Default(splits.Train), options);
        log($"rerank: fine-tuning the best {candidates.Count} candidates {settings.RerankEpochs} epoch(s) each from their inherited weights");
        var scores = new JsonArray();
        Candidate best = candidates[0];
        double bestScore = double.NegativeInfinity;
        for (int i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            var model = ExtractCalibrated(supernet, candidate.Architecture, calibration);
            var trainer = new Trainer(model, loader, null, TrainingOptions.FromInherited(settings.RerankEpochs, null),
                Path.Combine(settings.Output, "rerank", $"{i:D2}"), progress) { Card = _card.WithModel(null, candidate.Architecture.ToJson()) };
            trainer.RunOrReuse();
            double score = Evaluator.Evaluate(model, evaluation).Top1;
            log($"rerank: {i + 1}/{candidates.Count}: {candidate.ValidationAccuracy:P2} inherited, {score:P2} fine-tuned — {candidate.Key}");
            scores.Add(new JsonObject
            {
                ["key"] = candidate.Key, ["params"] = candidate.Params, ["macs"] = candidate.Macs,
                ["inherited_val_acc"] = candidate.ValidationAccuracy, ["finetuned_val_acc"] = score,
            });
            // Candidates come best inherited score first, so a tie keeps the earlier one.
            if (score > bestScore) (best, bestScore) = (candidate, score);
        }
        log($"rerank: best {best.Key} ({bestScore:P2} after fine-tuning)");
        return (best, scores);
    }
}
