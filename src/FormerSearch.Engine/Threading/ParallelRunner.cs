using System.Diagnostics;

namespace FormerSearch.Engine.Threading;

/// <summary>
/// Runs loops over a fixed set of persistent worker threads. Unlike <c>Parallel.For</c> it allocates
/// nothing per call (the loop body is a struct handed over through a generic static slot), and it
/// never nests: a loop started from inside a worker, or while another thread's loop is running, runs
/// inline on the calling thread.
/// </summary>
public static class ParallelRunner
{
    private static readonly object s_dispatchLock = new();
    private static Worker[] s_workers = [];
    private static int s_threads = Environment.ProcessorCount;

    [ThreadStatic] private static bool t_insideLoop;

    // The job currently being run: ranges are claimed by incrementing s_nextRange.
    private static Action<int>? s_job;
    private static int s_rangeCount;
    private static int s_nextRange;
    private static int s_pendingRanges;
    // Workers woken for the current job that have not yet finished with it; the job's state is only
    // reset once this is zero, so a late-waking worker can never run a stale job on new ranges.
    private static int s_awakeWorkers;

    /// <summary>Threads used by managed loops (the calling thread counts as one). At least 1.</summary>
    public static int Threads
    {
        get => s_threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (s_dispatchLock) s_threads = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> over <c>[0, count)</c> split into ranges of at least
    /// <paramref name="grain"/> items.
    /// </summary>
    public static void For<TBody>(int count, int grain, TBody body) where TBody : struct, IRangeBody
    {
        if (count <= 0) return;
        grain = Math.Max(1, grain);
        int threads = s_threads;
        int ranges = Math.Min((count + grain - 1) / grain, threads * 4);
        if (ranges <= 1 || threads == 1 || t_insideLoop || !Monitor.TryEnter(s_dispatchLock))
        {
            body.Invoke(0, count);
            return;
        }

        try
        {
            EnsureWorkers(threads - 1);
            Slot<TBody>.Body = body;
            Slot<TBody>.Count = count;
            Slot<TBody>.Ranges = ranges;
            s_job = Slot<TBody>.Run;
            s_rangeCount = ranges;
            s_pendingRanges = ranges;
            Volatile.Write(ref s_nextRange, 0);
            Volatile.Write(ref s_awakeWorkers, threads - 1);
            for (int i = 0; i < threads - 1; i++) s_workers[i].Wake();

            t_insideLoop = true;
            try { RunRanges(); }
            finally { t_insideLoop = false; }

            var spin = new SpinWait();
            while (Volatile.Read(ref s_pendingRanges) > 0 || Volatile.Read(ref s_awakeWorkers) > 0)
                spin.SpinOnce(sleep1Threshold: -1);
            s_job = null;
            Slot<TBody>.Body = default;
        }
        finally
        {
            Monitor.Exit(s_dispatchLock);
        }
    }

    private static void RunRanges()
    {
        var job = s_job;
        if (job is null) return;
        int r;
        while ((r = Interlocked.Increment(ref s_nextRange) - 1) < s_rangeCount)
        {
            job(r);
            Interlocked.Decrement(ref s_pendingRanges);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count) return;
        var workers = new Worker[count];
        Array.Copy(s_workers, workers, s_workers.Length);
        for (int i = s_workers.Length; i < count; i++) workers[i] = new Worker(i);
        s_workers = workers;
    }

    private static class Slot<TBody> where TBody : struct, IRangeBody
    {
        public static TBody Body;
        public static int Count;
        public static int Ranges;
        public static readonly Action<int> Run = range =>
        {
            long count = Count, ranges = Ranges;
            int start = (int)(count * range / ranges);
            int end = (int)(count * (range + 1) / ranges);
            if (end > start) Body.Invoke(start, end);
        };
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"former-worker-{index}" };
            thread.Start();
        }

        public void Wake() => _wake.Release();

        private void Loop()
        {
            t_insideLoop = true;
            while (true)
            {
                _wake.Wait();
                try { RunRanges(); }
                catch (Exception e) { Debug.Fail(e.ToString()); throw; }
                finally { Interlocked.Decrement(ref s_awakeWorkers); }
            }
        }
    }
}
