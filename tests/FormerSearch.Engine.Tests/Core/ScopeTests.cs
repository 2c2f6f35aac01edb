using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Core;

[Collection(AllocationCollection.Name)]
public sealed class ScopeTests
{
    /// <summary>Each test starts from an empty buffer pool: what earlier tests left in it changes which buffers a step takes.</summary>
    public ScopeTests() => BufferPool.Trim();

    [Fact]
    public void A_scope_returns_every_buffer_it_rented_and_releases_the_graph()
    {
        var w = TestTensors.Uniform(1, true, 8, 6);
        var x = TestTensors.Uniform(2, 5, 6);
        long rentedBefore = BufferPool.Rented, returnedBefore = BufferPool.Returned;
        using (TensorScope.Enter())
        {
            var h = Functional.Linear(x, w);
            var y = Functional.MatMul(h, h.Transpose(0, 1));
            Assert.True(Tape.Count >= 2);
            y.Backward(Tensor.Ones(5, 5));
            Assert.Equal(0, Tape.Count);   // backward releases the whole graph of this thread
        }
        long rented = BufferPool.Rented - rentedBefore, returned = BufferPool.Returned - returnedBefore;
        Assert.True(rented > 0);
        Assert.Equal(rented, returned);
        Assert.NotNull(w.Grad);     // a parameter's gradient outlives the scope
    }

    [Fact]
    public void A_graph_built_but_not_back_propagated_is_released_with_its_scope()
    {
        var w = TestTensors.Uniform(1, true, 4, 4);
        int before = Tape.Count;
        using (TensorScope.Enter())
        {
            Functional.Linear(Tensor.Ones(2, 4), w);
            Assert.Equal(before + 1, Tape.Count);
        }
        Assert.Equal(before, Tape.Count);
    }

    [Fact]
    public void Tensors_of_an_ended_scope_cannot_be_read()
    {
        Tensor t;
        using (TensorScope.Enter()) t = Tensor.Ones(3);
        Assert.Throws<ObjectDisposedException>(() => t.AsSpan());
    }

    [Fact]
    public void A_tensor_kept_past_its_scope_throws_on_every_use_through_the_next_scope()
    {
        Tensor stale;
        using (TensorScope.Enter()) stale = Functional.Relu(Tensor.Full(2f, 2, 3));
        using (TensorScope.Enter())
        {
            // The next step allocates as many tensors again; none of them is the stale object, which stays released.
            var fresh = new List<Tensor>();
            for (int i = 0; i < 8; i++) fresh.Add(Tensor.Full(i, 2, 3));
            Assert.DoesNotContain(fresh, t => ReferenceEquals(t, stale));
            var uses = new Action[]
            {
                () => stale.AsSpan(), () => stale.ToArray(), () => stale.Item(), () => _ = stale[0, 0], () => _ = stale.Shape,
                () => _ = stale.Rank, () => _ = stale.Numel, () => stale.Size(0), () => _ = stale.IsContiguous, () => _ = stale.Grad,
                () => stale.Reshape(6), () => stale.Narrow(0, 0, 1), () => stale.Transpose(0, 1), () => stale.Clone(),
                () => Functional.Add(stale, fresh[1]), () => Functional.Add(fresh[1], stale), () => Functional.Gelu(stale),
                () => Functional.Sum(stale), () => fresh[2].CopyFrom(stale),
            };
            foreach (var use in uses)
                Assert.IsAssignableFrom<InvalidOperationException>(Assert.ThrowsAny<ObjectDisposedException>(use));
            Assert.Contains("released", stale.ToString());
            // The tensors of this scope work.
            Assert.Equal([3f, 3f, 3f, 3f, 3f, 3f], Functional.Add(fresh[1], fresh[2]).ToArray());
        }
    }

    [Fact]
    public void A_pooled_tensor_object_is_reused_once_a_later_scope_has_ended_and_then_works() => OnFreshThread(() =>
    {
        // A new thread starts with an empty tensor-object pool, so the objects handed out are exactly those released here.
        Tensor released;
        using (TensorScope.Enter()) released = Tensor.Full(1f, 4);
        using (TensorScope.Enter()) Assert.NotSame(released, Tensor.Full(2f, 4));    // one step later: not handed out yet
        Tensor reused;
        using (TensorScope.Enter())
        {
            // Two steps later the object comes back (oldest first) as a new, working tensor.
            reused = Tensor.Full(7f, 5);
            Assert.Same(released, reused);
            Assert.Equal([7f, 7f, 7f, 7f, 7f], reused.ToArray());
            Assert.Equal([14f, 14f, 14f, 14f, 14f], Functional.Add(reused, reused).ToArray());
        }
        Assert.Throws<ObjectDisposedException>(() => reused.AsSpan());
    });

    /// <summary>Runs <paramref name="body"/> on a new thread (its own scopes and pools) and rethrows what it threw.</summary>
    private static void OnFreshThread(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    [Fact]
    public void MoveToOuter_keeps_a_tensor_alive()
    {
        Tensor kept;
        using (TensorScope.Enter())
        {
            kept = TensorScope.MoveToOuter(Tensor.Full(2f, 3).Narrow(0, 1, 2));
        }
        Assert.Equal([2f, 2f], kept.ToArray());
    }

    [Fact]
    public void NoGrad_records_nothing()
    {
        var w = TestTensors.Uniform(1, true, 3, 3);
        int before = Tape.Count;
        using (Tape.NoGrad())
        {
            var y = Functional.Linear(Tensor.Ones(1, 3), w);
            Assert.False(y.RequiresGrad);
        }
        Assert.Equal(before, Tape.Count);
    }

    [Fact]
    public void A_warm_step_allocates_almost_nothing()
    {
        var w1 = TestTensors.Uniform(1, true, 64, 32);
        var w2 = TestTensors.Uniform(2, true, 16, 64);
        var b1 = TestTensors.Uniform(3, true, 64);
        var x = TestTensors.Uniform(4, 128, 32);
        void Step()
        {
            using var _ = TensorScope.Enter();
            var h = Functional.Linear(x, w1, b1);
            var y = Functional.Linear(h, w2);
            y.Backward(Tensor.Ones(128, 16));
        }
        for (int i = 0; i < 5; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        Assert.True(perStep < 1024, $"a warm step allocated {perStep} bytes");
    }
}
