using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace FormerSearch.Data;

/// <summary>
/// Builds one epoch's batches, in order, on one background thread, keeping up to a fixed number
/// queued ahead of the consumer. What a batch holds does not depend on this thread (see
/// <see cref="DataLoader"/>); a failure while building is rethrown to the consumer at that batch.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    private readonly DataLoader _loader;
    private readonly int _epoch, _start, _end;
    private readonly int[] _order;
    private readonly BlockingCollection<Batch> _queue;
    private readonly CancellationTokenSource _cancel = new();
    private readonly Thread _thread;
    private volatile Exception? _error;

    public BatchPrefetcher(DataLoader loader, int epoch, int[] order, int start, int end, int depth)
    {
        _loader = loader;
        _epoch = epoch;
        _order = order;
        _start = start;
        _end = end;
        _queue = new BlockingCollection<Batch>(Math.Max(1, depth));
        _thread = new Thread(Run) { IsBackground = true, Name = "FormerSearch data prefetch" };
        _thread.Start();
    }

    /// <summary>The next batch; false at the end of the epoch. Rethrows a failure of the builder thread.</summary>
    public bool TryTake(out Batch batch)
    {
        if (_queue.TryTake(out batch!, Timeout.Infinite)) return true;
        if (_error is { } e) ExceptionDispatchInfo.Throw(e);
        return false;
    }

    public void Dispose()
    {
        _cancel.Cancel();
        _thread.Join();
        while (_queue.TryTake(out var left)) left.Dispose();
        _queue.Dispose();
        _cancel.Dispose();
    }

    private void Run()
    {
        try
        {
            var builder = _loader.CreateBuilder();
            for (int i = _start; i < _end && !_cancel.IsCancellationRequested; i++)
            {
                var batch = _loader.BuildBatch(builder, _order, _epoch, i);
                try { _queue.Add(batch, _cancel.Token); }
                catch (OperationCanceledException)
                {
                    batch.Dispose();
                    break;
                }
            }
        }
        catch (Exception e) { _error = e; }
        finally { _queue.CompleteAdding(); }
    }
}
