using System.Globalization;
using FormerSearch.Training;

namespace FormerSearch.Cli.Progress;

/// <summary>The one-line summary of a finished epoch, the same for the progress bar and for log lines.</summary>
public static class EpochLine
{
    public static string Format(EpochMetrics m, int epochs)
    {
        string validation = m.Validation is { } v
            ? string.Create(CultureInfo.InvariantCulture, $"; val top-1 {100 * v.Top1:F2}%, top-5 {100 * v.Top5:F2}%, loss {v.Loss:F4}")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {m.Epoch}/{epochs}: train loss {m.TrainLoss:F4}, top-1 {100 * m.TrainTop1:F2}%, lr {m.LearningRate:G3}, {m.ImagesPerSecond:F0} images/s, {m.Seconds:F1} s{validation}");
    }
}
