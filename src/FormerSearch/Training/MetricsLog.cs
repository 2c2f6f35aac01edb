using System.Text.Json;

namespace FormerSearch.Training;

/// <summary><c>metrics.jsonl</c>: one JSON object per finished epoch, appended as epochs end.</summary>
public static class MetricsLog
{
    /// <summary>Appends <paramref name="metrics"/> as one line.</summary>
    public static void Append(string path, EpochMetrics metrics)
    {
        var line = JsonSerializer.Serialize(new
        {
            epoch = metrics.Epoch,
            step = metrics.Step,
            train_loss = metrics.TrainLoss,
            train_top1 = metrics.TrainTop1,
            lr = metrics.LearningRate,
            images_per_s = Math.Round(metrics.ImagesPerSecond, 2),
            seconds = Math.Round(metrics.Seconds, 3),
            val_top1 = metrics.Validation?.Top1,
            val_top5 = metrics.Validation?.Top5,
            val_loss = metrics.Validation?.Loss,
            world_size = metrics.WorldSize,
        });
        File.AppendAllText(path, line + "\n");
    }

    /// <summary>
    /// Drops the lines of epochs after the first <paramref name="epochs"/>: a run that died between writing an epoch's
    /// line and its checkpoint redoes that epoch on resume and must not list it twice.
    /// </summary>
    public static void KeepEpochs(string path, int epochs)
    {
        if (!File.Exists(path)) return;
        var kept = File.ReadAllLines(path).Where(line =>
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                return doc.RootElement.GetProperty("epoch").GetInt32() <= epochs;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return false; // a line torn by the crash
            }
        }).ToArray();
        File.WriteAllLines(path, kept);
    }
}
