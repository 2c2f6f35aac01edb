using System.Text.Json;
using FormerSearch.Engine.IO;

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
    /// Keeps the first <paramref name="lines"/> complete lines and drops the rest: those of work a resumed run redoes (a
    /// run that died between appending an epoch's line and writing the checkpoint that counts it) and a line torn by the
    /// kill. Rewritten atomically, and only when something is dropped, so a kill here loses nothing.
    /// </summary>
    public static void KeepLines(string path, int lines)
    {
        if (!File.Exists(path)) return;
        string text = File.ReadAllText(path);
        int end = 0;
        for (int kept = 0; kept < lines; kept++)
        {
            int newline = text.IndexOf('\n', end);
            if (newline < 0) break; // fewer lines than counted: keep every complete one
            end = newline + 1;
        }
        if (end < text.Length) AtomicFile.WriteAllText(path, text[..end]);
    }
}
