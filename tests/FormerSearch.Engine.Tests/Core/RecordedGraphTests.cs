using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Core;

/// <summary>
/// A graph set aside from the tape (<see cref="Tape.SetAside"/>) is computed once, feeds several passes that each
/// backpropagate in their own scope, and carries their summed gradient back afterwards.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class RecordedGraphTests
{
    private static readonly Func<Tensor, Tensor>[] Passes =
    [
        h => Functional.Sum(Functional.Gelu(h)),
        h => Functional.Sum(Functional.Mul(Functional.Relu(h), h)),
        h => Functional.Mean(Functional.Mul(h, 3f)),
    ];

    [Fact]
    public void Passes_from_a_set_aside_graph_give_the_gradient_of_whole_passes()
    {
        var x = TestTensors.Uniform(1, 6, 5);
        var w = TestTensors.Uniform(2, true, 4, 5);
        var expected = WholePassesGradient(x);

        using (TensorScope.Enter())
        {
            var h = Functional.Linear(x, w);
            using var graph = Tape.SetAside();
            var leaf = h.Detach().CollectGradientHere();
            foreach (var pass in Passes)
            {
                using var _ = TensorScope.Enter();
                pass(leaf).Backward();
                Assert.Equal(0, Tape.Count);      // the pass released its own graph only
                Assert.False(h.IsLeaf);           // the set-aside one is intact
            }
            Assert.Null(w.Grad);
            graph.Backward();
            Assert.Equal(0, Tape.Count);
            Assert.Throws<InvalidOperationException>(graph.Backward);
        }

        var actual = w.Grad!.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5e-6f);
        Assert.Contains(expected, v => Math.Abs(v) > 1e-2f);
    }

    [Fact]
    public void A_set_aside_graph_disposed_without_a_backward_is_released()
    {
        var w = TestTensors.Uniform(3, true, 4, 4);
        using (TensorScope.Enter())
        {
            var h = Functional.Relu(Functional.Linear(Tensor.Ones(2, 4), w));
            var graph = Tape.SetAside();
            Assert.Equal(0, Tape.Count);
            graph.Dispose();
            Assert.True(h.IsLeaf);
            graph.Dispose();
        }
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Only_the_innermost_scope_s_nodes_are_set_aside()
    {
        var w = TestTensors.Uniform(4, true, 3, 3);
        using (TensorScope.Enter())
        {
            var outer = Functional.Linear(Tensor.Ones(2, 3), w);
            using (TensorScope.Enter())
            {
                var inner = Functional.Relu(outer);
                using var graph = Tape.SetAside();
                Assert.Equal(1, Tape.Count);       // the outer scope's Linear stays on the tape
                Assert.False(inner.IsLeaf);
            }
            Assert.Equal(1, Tape.Count);
        }
        Assert.Equal(0, Tape.Count);
    }

    /// <summary>The reference: each pass recomputes <c>h</c> and backpropagates through all of it.</summary>
    private static float[] WholePassesGradient(Tensor x)
    {
        var w = TestTensors.Uniform(2, true, 4, 5);
        foreach (var pass in Passes)
        {
            using var _ = TensorScope.Enter();
            pass(Functional.Linear(x, w)).Backward();
        }
        return w.Grad!.ToArray();
    }
}
