using FormerSearch.Engine.Memory;

namespace FormerSearch.Engine.Tests.Memory;

/// <summary>The pool's reuse rules; alone in its collection because the pool is process-wide.</summary>
[Collection(AllocationCollection.Name)]
public sealed class BufferPoolTests
{
    [Fact]
    public void A_returned_buffer_serves_its_own_size_class_first()
    {
        BufferPool.Trim();
        var a = BufferPool.Rent(1000);
        Assert.Equal(1024, a.Length);
        BufferPool.Return(a);
        Assert.Same(a, BufferPool.Rent(513));
        BufferPool.Return(a);
    }

    [Fact]
    public void A_miss_takes_a_kept_buffer_up_to_four_times_larger_but_not_eight()
    {
        BufferPool.Trim();
        var big = BufferPool.Rent(4096);
        BufferPool.Return(big);
        var quarter = BufferPool.Rent(1024);
        Assert.Same(big, quarter);
        BufferPool.Return(quarter);
        var eighth = BufferPool.Rent(512);
        Assert.NotSame(big, eighth);
        Assert.Equal(512, eighth.Length);
        BufferPool.Return(eighth);
        BufferPool.Trim();
    }

    [Fact]
    public void A_buffer_the_pool_did_not_hand_out_is_refused()
    {
        Assert.Throws<ArgumentException>(() => BufferPool.Return(new float[1000]));
    }
}
