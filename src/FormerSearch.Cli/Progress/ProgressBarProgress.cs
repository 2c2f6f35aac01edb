using System.Globalization;
using FormerSearch.Training;
using Spectre.Console;

namespace FormerSearch.Cli.Progress;

/// <summary>Training progress as a Spectre.Console bar per epoch (loss, accuracy, lr, images/s, ETA); call <see cref="Run"/> around training.</summary>
public sealed class ProgressBarProgress : ITrainingProgress
{
    private ProgressContext? _context;
    private ProgressTask? _task;
    private int _epoch, _epochs;

    /// <summary>Runs <paramref name="work"/> with the bars live on the terminal.</summary>
    public T Run<T>(Func<T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                _context = ctx;
                result = work();
            });
        return result;
    }

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int epochs, int startBatch, int batches)
    {
        (_epoch, _epochs) = (epoch, epochs);
        _task = _context!.AddTask(Markup.Escape($"epoch {epoch + 1}/{epochs}"), maxValue: batches);
        _task.Value = startBatch;
    }

    /// <inheritdoc/>
    public void StepCompleted(int batch, double loss, double top1, double learningRate, double imagesPerSecond)
    {
        if (_task is null) return;
        _task.Value = batch + 1;
        _task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"epoch {_epoch + 1}/{_epochs} loss {loss:F4} top-1 {100 * top1:F1}% lr {learningRate:G3} {imagesPerSecond:F0} img/s"));
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochMetrics metrics)
    {
        if (_task is null) return;
        _task.Description = Markup.Escape(EpochLine.Format(metrics, _epochs));
        _task.StopTask();
    }
}
