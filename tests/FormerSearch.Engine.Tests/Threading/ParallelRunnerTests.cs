using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Tests.Threading;

[Collection(nameof(ThreadSettingsCollection))]
public sealed class ParallelRunnerTests
{
    private struct CountVisits(int[] visits) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int i = start; i < end; i++) Interlocked.Increment(ref visits[i]);
        }
    }

    private struct NestedLoop(int[] visits, int inner) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int i = start; i < end; i++)
                ParallelRunner.For(inner, 1, new CountVisits(visits));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_item_is_visited_exactly_once(int threads)
    {
        int saved = ParallelRunner.Threads;
        try
        {
            ParallelRunner.Threads = threads;
            foreach (int count in new[] { 0, 1, 2, 7, 64, 1000, 12345 })
            {
                for (int grain = 1; grain <= 64; grain *= 4)
                {
                    var visits = new int[count];
                    ParallelRunner.For(count, grain, new CountVisits(visits));
                    Assert.All(visits, v => Assert.Equal(1, v));
                }
            }
        }
        finally { ParallelRunner.Threads = saved; }
    }

    [Fact]
    public void Back_to_back_loops_of_growing_range_counts_visit_every_item_once()
    {
        // A worker late to check a finished loop must not take the next loop's larger range count for its own
        // (it once ran a range of the next body early, twice, and the caller cleared the body under it).
        int saved = ParallelRunner.Threads;
        try
        {
            ParallelRunner.Threads = 3;
            var small = new int[2];
            var large = new int[12];
            for (int round = 0; round < 20_000; round++)
            {
                ParallelRunner.For(small.Length, 1, new CountVisits(small));
                ParallelRunner.For(large.Length, 1, new CountVisits(large));
            }
            Assert.All(small, v => Assert.Equal(20_000, v));
            Assert.All(large, v => Assert.Equal(20_000, v));
        }
        finally { ParallelRunner.Threads = saved; }
    }

    [Fact]
    public void Loops_from_several_threads_at_once_all_complete()
    {
        var arrays = Enumerable.Range(0, 4).Select(_ => new int[5000]).ToArray();
        var threads = arrays.Select(a => new Thread(() =>
        {
            for (int rep = 0; rep < 200; rep++) ParallelRunner.For(a.Length, 16, new CountVisits(a));
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        foreach (var a in arrays) Assert.All(a, v => Assert.Equal(200, v));
    }

    [Fact]
    public void A_loop_inside_a_loop_runs_inline()
    {
        var visits = new int[100];
        ParallelRunner.For(10, 1, new NestedLoop(visits, 10));
        Assert.All(visits.Take(10), v => Assert.Equal(10, v));
        Assert.All(visits.Skip(10), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Fewer_than_one_thread_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParallelRunner.Threads = 0);
    }
}

/// <summary>Tests that change the process-wide thread count run one at a time.</summary>
[CollectionDefinition(nameof(ThreadSettingsCollection), DisableParallelization = true)]
public sealed class ThreadSettingsCollection;
