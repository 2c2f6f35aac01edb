using System.Diagnostics;

namespace FormerSearch.Engine.Threading;

/// <summary>
/// Runs loops over a fixed set of persistent worker threads. Unlike <c>Parallel.For</c> it allocates
/// nothing per call (the loop body is a struct handed over through a generic static slot), and it
/// never nests: a loop started from inside a worker, or while another thread's loop is running, runs
/// inline on the calling thread.
/// </summary>
/// <remarks>
/// Waking a sleeping thread costs hundreds of microseconds on a virtual machine, more than many
/// whole ops, so workers spin briefly for the next loop before they sleep, and the calling thread
/// never waits for a worker that has not started: it takes the ranges itself. Ranges are claimed
/// from a counter tagged with the loop's epoch, so a worker that wakes late cannot claim a range of a
/// later loop with a stale body.
/// </remarks>
public static class ParallelRunner
{
    // How long an idle worker watches for the next loop before sleeping: longer than the gap between
    // consecutive ops of a training step, far shorter than a GEMM (during which it should not compete).
    private static readonly long s_spinTicks = Stopwatch.Frequency / 20_000;   // 50 µs

    private static readonly object s_dispatchLock = new();
    private static Worker[] s_workers = [];
    private static int s_threads = Environment.ProcessorCount;

    static ParallelRunner() => EnsureWorkers(s_threads - 1);

    [ThreadStatic] private static bool t_insideLoop;

    // The current loop: (epoch << 32) | next range to claim. A new loop bumps the epoch.
    private static long s_claim;
    private static Action<int>? s_job;
    private static int s_rangeCount;
    private static int s_pendingRanges;

    /// <summary>True on a thread that is running a range of a parallel loop (a worker, or the caller during its loop).</summary>
    internal static bool IsInsideLoop => t_insideLoop;

    /// <summary>
    /// Makes every loop this thread starts from now on run inline, as a loop inside a worker does: for a thread that is
    /// itself one of several running side by side (a model replica of <see cref="Distributed.Replicas"/>).
    /// </summary>
    internal static void RunLoopsInline() => t_insideLoop = true;

    /// <summary>Threads used by managed loops (the calling thread counts as one). At least 1.</summary>
    public static int Threads
    {
        get => s_threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (s_dispatchLock)
            {
                EnsureWorkers(value - 1);
                s_threads = value;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> over <c>[0, count)</c> split into ranges of at least
    /// <paramref name="grain"/> items.
    /// </summary>
    public static void For<TBody>(int count, int grain, TBody body) where TBody : struct, IRangeBody
    {
        if (count <= 0) return;
        // Touch this body type's slot on every path, so that its one-time set-up (a delegate) happens
        // on the first call even when that call runs inline, never in a later, warm one.
        _ = Slot<TBody>.Run;
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
            // Close the previous loop under the new epoch before touching the shared fields: a worker still checking
            // the previous loop could otherwise read this loop's larger range count against the previous epoch's
            // claim, claim a range that does not exist there, run this loop's body early and miscount the ranges.
            long epoch = (Volatile.Read(ref s_claim) >> 32) + 1;
            Volatile.Write(ref s_claim, (epoch << 32) | int.MaxValue);
            Slot<TBody>.Body = body;
            Slot<TBody>.Count = count;
            Slot<TBody>.Ranges = ranges;
            s_job = Slot<TBody>.Run;
            s_rangeCount = ranges;
            Volatile.Write(ref s_pendingRanges, ranges);
            Volatile.Write(ref s_claim, epoch << 32);     // publishes the loop
            for (int i = 0; i < threads - 1; i++) s_workers[i].WakeIfSleeping();

            t_insideLoop = true;
            try { RunRanges(epoch); }
            finally { t_insideLoop = false; }

            // Only ranges a worker already claimed can still be running.
            var spin = new SpinWait();
            while (Volatile.Read(ref s_pendingRanges) > 0) spin.SpinOnce(sleep1Threshold: -1);
            s_job = null;
            Slot<TBody>.Body = default;
        }
        finally
        {
            Monitor.Exit(s_dispatchLock);
        }
    }

    /// <summary>Claims and runs ranges of loop <paramref name="epoch"/> until none are left.</summary>
    private static void RunRanges(long epoch)
    {
        var job = Volatile.Read(ref s_job);
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            if (claim >> 32 != epoch) return;
            int range = (int)claim;
            if (range >= s_rangeCount) return;
            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) != claim) continue;
            // The claim succeeded under this epoch, so the loop (and the job read above, published
            // before the epoch) stays in place until this range is counted done.
            job!(range);
            Interlocked.Decrement(ref s_pendingRanges);
        }
    }

    /// <summary>The epoch of the published loop if it still has ranges to claim, else -1.</summary>
    private static long OpenEpoch()
    {
        long claim = Volatile.Read(ref s_claim);
        return (int)claim < Volatile.Read(ref s_rangeCount) ? claim >> 32 : -1;
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
        private int _sleeping;
        private long _lastEpoch;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"former-worker-{index}" };
            thread.Start();
        }

        public void WakeIfSleeping()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        private void Loop()
        {
            t_insideLoop = true;
            while (true)
            {
                long epoch = WaitForLoop();
                try { RunRanges(epoch); }
                catch (Exception e) { Debug.Fail(e.ToString()); throw; }
                _lastEpoch = epoch;
            }
        }

        /// <summary>Spins briefly for a loop newer than the last one run, then sleeps until woken.</summary>
        private long WaitForLoop()
        {
            long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
            while (true)
            {
                long epoch = OpenEpoch();
                if (epoch > _lastEpoch) return epoch;
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Exchange(ref _sleeping, 1);   // a full fence: the check below must not move before it
                // A loop published after the flag was set wakes us; one published before it is seen here.
                epoch = OpenEpoch();
                if (epoch > _lastEpoch)
                {
                    if (Interlocked.Exchange(ref _sleeping, 0) == 0) _wake.Wait();   // a wake is already on its way: consume it
                    return epoch;
                }
                _wake.Wait();
                deadline = Stopwatch.GetTimestamp() + s_spinTicks;
            }
        }
    }
}
