using System.Runtime.ExceptionServices;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Distributed;

/// <summary>
/// Data parallelism inside one process: <c>n</c> replicas of a model, each trained by its own thread on its part of
/// every batch, their gradients summed through a <see cref="ThreadCommunicator"/> — what <c>mpirun -np n</c> does with
/// processes, without MPI. On a small model this beats splitting each op over threads: an op on a few thousand floats
/// costs less than handing it to another core, so each replica runs its ops on its own thread (loops inline) and the
/// cores only meet once per step, at the gradient sum. Replicas beyond <see cref="ParallelRunner.Threads"/> take turns,
/// so the result depends on the number of replicas, never on the number of threads.
/// </summary>
public static class Replicas
{
    // Room for a forward that nests a module call per layer, as on the main thread.
    private const int StackBytes = 16 << 20;

    /// <summary>
    /// Rank 0's result of <see cref="Run"/> — every replica ends a training run with the same weights — where one replica
    /// is a plain one-process run on the calling thread (its ops split over the threads as usual).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static T First<T>(int count, Func<ICommunicator, T> replica)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return count > 1 ? Run(count, replica)[0] : replica(SingleProcess.Instance);
    }

    /// <summary>
    /// Runs <paramref name="replica"/> once per rank of an <paramref name="count"/>-rank group, each on its own thread, and
    /// returns their results in rank order. When one throws, the others are stopped at their next collective and the
    /// first failure is rethrown here.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static T[] Run<T>(int count, Func<ICommunicator, T> replica)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(replica);
        var results = new T[count];
        ExceptionDispatchInfo? failure = null;
        var gate = new object();
        using var group = new ThreadGroup(count, ParallelRunner.Threads);
        var threads = new Thread[count];
        for (int r = 0; r < count; r++)
        {
            int rank = r;
            threads[r] = new Thread(() =>
            {
                try
                {
                    group.EnterCompute();
                    try
                    {
                        ParallelRunner.RunLoopsInline();
                        OpenBlasLibrary.MarkSerialCaller();
                        results[rank] = replica(new ThreadCommunicator(group, rank));
                    }
                    finally
                    {
                        group.LeaveCompute();
                    }
                }
                catch (Exception e)
                {
                    lock (gate)
                    {
                        // The rank that failed first explains the run; the others only saw it stop.
                        if (failure is null || (failure.SourceException is OperationCanceledException && e is not OperationCanceledException))
                            failure = ExceptionDispatchInfo.Capture(e);
                    }
                    group.Fail();
                }
            }, StackBytes) { IsBackground = true, Name = $"former-replica-{rank}" };
        }
        // OpenBLAS one thread per call while the replicas run: each replica's products then take its kernels (on the
        // BurgerFormer supernet 5 % and on its best subnet 17 % faster than the managed GEMM they fall back to otherwise).
        using (OpenBlasLibrary.Serial())
        {
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
        }
        failure?.Throw();
        return results;
    }
}
