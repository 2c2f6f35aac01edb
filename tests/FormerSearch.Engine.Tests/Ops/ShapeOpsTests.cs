using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class ShapeOpsTests
{
    [Fact]
    public void ConcatValuesAndGradients()
    {
        var a = TestTensors.Uniform(1, true, 2, 3, 4);
        var b = TestTensors.Uniform(2, true, 2, 3, 1);
        var y = F.Concat([a, b], -1);
        Assert.Equal([2, 3, 5], y.Shape.ToArray());
        Assert.Equal(a[1, 2, 3], y[1, 2, 3]);
        Assert.Equal(b[1, 2, 0], y[1, 2, 4]);
        GradCheck.Check(t => F.Concat([t[0], t[1]], 2), [a, b], tolerance: 2e-3);
        GradCheck.Check(t => F.Concat([t[0], t[1], t[0]], 1),
            [TestTensors.Uniform(3, true, 2, 1, 3), TestTensors.Uniform(4, true, 2, 4, 3)], tolerance: 2e-3);
        // Views (a strided one), concatenated along dim 0.
        var baseT = TestTensors.Uniform(5, true, 4, 6);
        GradCheck.Check(t => F.Concat([t[0], t[1]], 0), [baseT.Narrow(1, 1, 3), TestTensors.Uniform(6, true, 3, 4).Transpose(0, 1).Narrow(0, 0, 2)], tolerance: 2e-3);
        Assert.Throws<ArgumentException>(() => F.Concat([a, TestTensors.Uniform(7, 2, 4, 1)], -1));
    }

    [Fact]
    public void SplitIsViewsWithGradients()
    {
        var x = TestTensors.Uniform(1, true, 3, 7);
        var parts = F.Split(x, [2, 0, 5], 1);
        Assert.Equal([3, 2], parts[0].Shape.ToArray());
        Assert.Equal([3, 5], parts[2].Shape.ToArray());
        Assert.Equal(x[2, 4], parts[2][2, 2]);
        GradCheck.Check(t =>
        {
            var p = F.Split(t[0], [2, 5], 1);
            return F.Concat([F.Mul(p[1], 2f), F.Sigmoid(p[0])], 1);
        }, [x], tolerance: 2e-3);
        Assert.Throws<ArgumentException>(() => F.Split(x, [2, 2], 1));
    }

    [Fact]
    public void ExpandAndTokenConcat()
    {
        var cls = TestTensors.Uniform(1, true, 1, 1, 4);
        var tokens = TestTensors.Uniform(2, true, 3, 5, 4);
        var y = F.TokenConcat(cls, tokens);
        Assert.Equal([3, 6, 4], y.Shape.ToArray());
        for (int b = 0; b < 3; b++)
        {
            Assert.Equal(cls[0, 0, 2], y[b, 0, 2]);
            Assert.Equal(tokens[b, 4, 1], y[b, 5, 1]);
        }
        GradCheck.Check(t => F.TokenConcat(t[0], t[1]), [cls, tokens], tolerance: 2e-3);
        GradCheck.Check(t => F.Expand(t[0], 2, 3, -1), [TestTensors.Uniform(3, true, 3, 1)], tolerance: 2e-3);
        Assert.Throws<ArgumentException>(() => F.Expand(Tensor.Zeros(2, 3), 2, 4));
        Assert.Throws<ArgumentException>(() => F.TokenConcat(Tensor.Zeros(1, 1, 3), tokens));
    }

    [Fact]
    public void EmbeddingLookupAndScatterAdd()
    {
        var w = TestTensors.Uniform(1, true, 6, 3);
        int[] idx = [4, 0, 4, 5];
        var y = F.Embedding(idx, w);
        Assert.Equal([4, 3], y.Shape.ToArray());
        Assert.Equal(w[4, 1], y[2, 1]);
        y.Backward(Tensor.Ones(4, 3));
        var g = w.Grad!;
        Assert.Equal(2f, g[4, 0]);
        Assert.Equal(1f, g[0, 2]);
        Assert.Equal(0f, g[1, 1]);
        GradCheck.Check(t => F.Embedding(idx, t[0], [2, 2]), [TestTensors.Uniform(2, true, 6, 3)], tolerance: 2e-3);
        Assert.Throws<ArgumentException>(() => F.Embedding([6], w));
        Assert.Throws<ArgumentException>(() => F.Embedding([-1], w));
    }
}
