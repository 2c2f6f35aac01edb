using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Inference;

/// <summary>
/// Predicts the classes of image files with a model and its card: each file is decoded and transformed exactly as an
/// image-folder data set is for evaluation (<see cref="ImageLoader"/>: resize shorter side, centre crop), normalised with the
/// card's mean and std (a one-channel card repeated into a three-channel model), run through the model in batches, and
/// turned into softmax probabilities.
/// </summary>
public sealed class ImageClassifier
{
    // timm's defaults for a model without recorded statistics (IMAGENET_DEFAULT_MEAN/STD; one channel: their averages).
    private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

    private readonly Predictor _predictor;
    private readonly float[] _mean, _std;
    private readonly int _dataChannels;

    /// <summary>A classifier over <paramref name="predictor"/>'s model normalising with <paramref name="card"/>'s statistics (ImageNet's when it has none) and naming classes by its class names (their indices when it has none).</summary>
    /// <exception cref="UserInputException">The card's statistics have another channel count than the model can take.</exception>
    public ImageClassifier(Predictor predictor, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(card);
        _predictor = predictor;
        var input = predictor.Model.Input;
        if (card.Mean is { } mean && card.Std is { } std)
        {
            _mean = [.. mean];
            _std = [.. std];
        }
        else
        {
            _mean = input.Channels == 1 ? [ImageNetMean.Average()] : ImageNetMean;
            _std = input.Channels == 1 ? [ImageNetStd.Average()] : ImageNetStd;
        }
        _dataChannels = _mean.Length;
        if (_dataChannels != input.Channels && _dataChannels != 1)
            throw new UserInputException($"The model card normalises {_dataChannels} channels but the model takes {input.Channels}.");
        if (_dataChannels is not (1 or 3)) throw new UserInputException($"Image files decode to 1 or 3 channels; the model takes {input.Channels}.");
        ClassNames = card.ClassNames is { } names && names.Count == predictor.Model.NumClasses
            ? names : [.. Enumerable.Range(0, predictor.Model.NumClasses).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>Name of each class (the card's, else the index).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// The top <paramref name="topK"/> classes of each readable file of <paramref name="files"/>, in order; the unreadable ones
    /// are returned in <paramref name="skipped"/> with why.
    /// </summary>
    public IReadOnlyList<ImagePrediction> Predict(IReadOnlyList<string> files, int topK, int threads, out IReadOnlyList<SkippedImage> skipped)
    {
        var input = _predictor.Model.Input;
        int k = Math.Clamp(topK, 1, ClassNames.Count), batch = _predictor.BatchSize, plane = input.Height * input.Width;
        var results = new List<ImagePrediction>(files.Count);
        var failed = new List<SkippedImage>();
        var pixels = new byte[batch][];
        var reasons = new string?[batch];
        for (int start = 0; start < files.Count; start += batch)
        {
            int n = Math.Min(batch, files.Count - start);
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
                () => new ImageLoader(_dataChannels, input.Height, input.Width),
                (i, _, loader) =>
                {
                    pixels[i] ??= new byte[loader.ImageSize];
                    reasons[i] = loader.TryLoad(files[start + i], pixels[i]);
                    return loader;
                },
                _ => { });
            var readable = Enumerable.Range(0, n).Where(i => reasons[i] is null).ToList();
            foreach (int i in Enumerable.Range(0, n).Where(i => reasons[i] is not null)) failed.Add(new SkippedImage(files[start + i], reasons[i]!));
            if (readable.Count == 0) continue;
            // [B, C, H, W] normalised; a grey card's channel is repeated into every channel of the model.
            var nchw = new float[readable.Count * input.Channels * plane];
            for (int b = 0; b < readable.Count; b++)
            {
                var image = pixels[readable[b]];
                for (int c = 0; c < input.Channels; c++)
                {
                    int dc = _dataChannels == 1 ? 0 : c;
                    float scale = 1f / (255f * _std[dc]), shift = -_mean[dc] / _std[dc];
                    var target = nchw.AsSpan((b * input.Channels + c) * plane, plane);
                    for (int p = 0; p < plane; p++) target[p] = image[p * _dataChannels + dc] * scale + shift;
                }
            }
            var logits = _predictor.Predict(Tensor.FromArray(nchw, readable.Count, input.Channels, input.Height, input.Width)).ToArray();
            int classes = ClassNames.Count;
            for (int b = 0; b < readable.Count; b++)
                results.Add(new ImagePrediction(files[start + readable[b]], Top(logits.AsSpan(b * classes, classes), k)));
        }
        skipped = failed;
        return results;
    }

    // Softmax (max-subtracted, in double) and the k largest, ties to the lower index.
    private List<(int, string, float)> Top(ReadOnlySpan<float> logits, int k)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        double total = 0;
        var probabilities = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++) total += probabilities[i] = Math.Exp(logits[i] - max);
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => probabilities[i]).ThenBy(i => i).Take(k);
        return [.. order.Select(i => (i, ClassNames[i], (float)(probabilities[i] / total)))];
    }
}
