using FormerSearch.Engine.Distributed;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Tests.Kernels;
using FormerSearch.Engine.Tests.Support;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Tests.Distributed;

/// <summary>
/// In-process ranks (<see cref="Replicas"/>, <see cref="ThreadCommunicator"/>): collectives give every rank the same
/// values — sums added in rank order, whatever the thread count — loops inside a replica run inline, and a failing rank
/// stops the others instead of leaving them waiting.
/// </summary>
[Collection(ElementwiseThreadsCollection.Name)]
public sealed class ReplicasTests
{
    [Fact]
    public void Allreduce_gives_every_rank_the_rank_order_sum_and_broadcast_the_roots_values_for_one_and_two_threads()
    {
        const int Ranks = 3, Length = 1001;
        // Values whose float sum depends on the order of addition, so that only the rank-order sum passes.
        float Value(int rank, int i) => rank switch { 0 => 1e8f, 1 => (i % 7) - 3.25f, _ => -1e8f } + i * 1e-3f;
        var expected = new float[Length];
        for (int i = 0; i < Length; i++) expected[i] = (Value(0, i) + Value(1, i)) + Value(2, i);

        var (one, two) = ThreadCounts.RunBoth(() =>
        {
            var results = Replicas.Run(Ranks, world =>
            {
                Assert.True(ParallelRunner.IsInsideLoop); // a replica's loops run inline
                var sum = new float[Length];
                for (int i = 0; i < Length; i++) sum[i] = Value(world.Rank, i);
                world.AllreduceSum(sum);
                var root = Enumerable.Repeat((float)world.Rank, 5).ToArray();
                world.Broadcast(root, root: 2);
                world.Barrier();
                return (world.Rank, world.Size, Sum: sum, Root: root);
            });
            for (int r = 0; r < Ranks; r++)
            {
                Assert.Equal((r, Ranks), (results[r].Rank, results[r].Size));
                ThreadCounts.AssertBitwiseEqual(expected, results[r].Sum);
                Assert.All(results[r].Root, v => Assert.Equal(2f, v));
            }
            return results[0].Sum;
        });
        ThreadCounts.AssertBitwiseEqual(one, two);
    }

    [Fact]
    public async Task A_rank_that_fails_stops_the_others_and_its_exception_reaches_the_caller()
    {
        var run = Task.Run(() => Replicas.Run(3, world =>
        {
            if (world.Rank == 1) throw new InvalidOperationException("rank 1 failed");
            var values = new float[4];
            world.AllreduceSum(values); // ranks 0 and 2 wait here for rank 1, which never comes
            return values;
        }));
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == run, "the ranks left waiting were not stopped");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("rank 1 failed", error.Message);
    }

    [Fact]
    public void Replicas_multiplying_at_the_same_time_get_the_products_one_thread_gets()
    {
        // Products large enough for OpenBLAS, which the replicas call at once (one thread per call while they run).
        var sizes = new[] { (150, 130, 120), (200, 64, 300), (97, 211, 150) };
        float[] Product(int m, int n, int k, int seed)
        {
            var a = TestTensors.Uniform(seed, m, k).ToArray();
            var b = TestTensors.Uniform(seed + 1, k, n).ToArray();
            var c = new float[m * n];
            Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            return c;
        }
        var expected = Replicas.Run(1, _ => sizes.Select((s, i) => Product(s.Item1, s.Item2, s.Item3, 10 * i)).ToArray())[0];
        var results = Replicas.Run(2, world =>
        {
            var last = Array.Empty<float[]>();
            for (int repeat = 0; repeat < 30; repeat++)
            {
                last = sizes.Select((s, i) => Product(s.Item1, s.Item2, s.Item3, 10 * i)).ToArray();
                for (int i = 0; i < sizes.Length; i++) ThreadCounts.AssertBitwiseEqual(expected[i], last[i]);
            }
            return last;
        });
        Assert.Equal(2, results.Length);
        Assert.Equal(ParallelRunner.Threads, OpenBlasLibrary.IsAvailable ? OpenBlasLibrary.Threads : ParallelRunner.Threads);
    }

    [Fact]
    public void One_replica_runs_alone_and_a_count_below_one_is_refused()
    {
        Assert.Equal([7], Replicas.Run(1, world => world.Size + 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => Replicas.Run(0, _ => 0));
    }
}
