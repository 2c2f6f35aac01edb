using FormerSearch.Engine.Distributed;

namespace FormerSearch.Engine.Tests.Distributed;

/// <summary>
/// Ranks as threads of one process, for testing collectives' users without MPI: each member's <see cref="ICommunicator.AllreduceSum"/>
/// deposits its values, waits for every rank, and adds the deposits in rank order (the same sum on every rank).
/// </summary>
internal sealed class ThreadGroup
{
    private readonly float[][] _deposits;
    private readonly Barrier _barrier;

    public ThreadGroup(int size)
    {
        _deposits = new float[size][];
        _barrier = new Barrier(size);
    }

    /// <summary>Runs <paramref name="body"/> once per rank, each on its own thread with its member, and waits for all.</summary>
    public void Run(Action<ICommunicator> body)
    {
        var threads = Enumerable.Range(0, _deposits.Length).Select(rank => new Thread(() => body(new Member(this, rank)))).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
    }

    private sealed class Member(ThreadGroup group, int rank) : ICommunicator
    {
        public int Rank => rank;

        public int Size => group._deposits.Length;

        public void AllreduceSum(Span<float> values)
        {
            group._deposits[rank] = values.ToArray();
            group._barrier.SignalAndWait();
            values.Clear();
            foreach (var deposit in group._deposits)
                for (int i = 0; i < values.Length; i++) values[i] += deposit[i];
            group._barrier.SignalAndWait(); // nobody deposits the next values before everyone has read these
        }

        public void Broadcast(Span<float> values, int root)
        {
            group._deposits[rank] = values.ToArray();
            group._barrier.SignalAndWait();
            group._deposits[root].CopyTo(values);
            group._barrier.SignalAndWait();
        }

        public void Barrier() => group._barrier.SignalAndWait();
    }
}
