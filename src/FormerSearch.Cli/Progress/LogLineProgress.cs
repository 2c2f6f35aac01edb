using System.Globalization;
using FormerSearch.Training;

namespace FormerSearch.Cli.Progress;

/// <summary>Training progress as plain lines on stderr (no terminal, or <c>--no-progress</c>): about ten per epoch and one at its end.</summary>
public sealed class LogLineProgress : ITrainingProgress
{
    private int _epoch, _epochs, _batches, _every;

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int epochs, int startBatch, int batches)
    {
        (_epoch, _epochs, _batches) = (epoch, epochs, batches);
        _every = Math.Max(1, batches / 10);
    }

    /// <inheritdoc/>
    public void StepCompleted(int batch, double loss, double top1, double learningRate, double imagesPerSecond)
    {
        if ((batch + 1) % _every != 0 || batch + 1 == _batches) return;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {_epoch + 1}/{_epochs} batch {batch + 1}/{_batches}: loss {loss:F4}, top-1 {100 * top1:F2}%, lr {learningRate:G3}, {imagesPerSecond:F0} images/s"));
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochMetrics m) => Console.Error.WriteLine(EpochLine.Format(m, _epochs));
}
