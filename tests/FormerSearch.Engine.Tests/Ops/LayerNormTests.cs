using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class LayerNormTests
{
    [Theory]
    [InlineData(new[] { 3, 7 })]
    [InlineData(new[] { 2, 3, 5, 19 })]
    [InlineData(new[] { 2, 5, 33 })]
    public void GradientsMatchFiniteDifferences(int[] shape)
    {
        int c = shape[^1];
        var x = TestTensors.Uniform(1, true, shape);
        var w = TestTensors.Uniform(2, true, c);
        var b = TestTensors.Uniform(3, true, c);
        GradCheck.Check(t => Functional.LayerNorm(t[0], t[1], t[2]), [x, w, b], eps: 1e-2, tolerance: 2e-2);
    }

    [Fact]
    public void GradientsFlowThroughViewsAndPrefixWeights()
    {
        // A strided input (a narrowed channel range) and weight/bias that are prefix views of larger vectors.
        var big = TestTensors.Uniform(4, true, 2, 4, 13);
        var wBig = TestTensors.Uniform(5, true, 20);
        var bBig = TestTensors.Uniform(6, true, 20);
        GradCheck.Check(t => Functional.LayerNorm(t[0].Narrow(2, 2, 9), t[1].Narrow(0, 0, 9), t[2].Narrow(0, 0, 9)), [big, wBig, bBig], tolerance: 2e-2);
        // Elements outside the slices received nothing.
        Assert.All(wBig.Grad!.ToArray()[9..], v => Assert.Equal(0f, v));
        Assert.All(big.Grad!.ToArray().Where((_, i) => i % 13 < 2), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void WithoutAffineIsPlainNormalisation()
    {
        var x = TestTensors.Uniform(7, true, 3, 11);
        GradCheck.Check(t => Functional.LayerNorm(t[0]), [x], tolerance: 2e-2);
        var y = Functional.LayerNorm(x).ToArray();
        for (int r = 0; r < 3; r++)
        {
            var row = y.AsSpan(r * 11, 11);
            double mean = 0, sq = 0;
            foreach (var v in row) mean += v;
            mean /= 11;
            foreach (var v in row) sq += (v - mean) * (v - mean);
            Assert.True(Math.Abs(mean) < 1e-5);
            Assert.True(Math.Abs(sq / 11 - 1) < 1e-3);
        }
    }

    [Fact]
    public void WorksInsideAScope()
    {
        var w = TestTensors.Uniform(2, true, 16);
        var b = TestTensors.Uniform(3, true, 16);
        for (int step = 0; step < 3; step++)
        {
            using (TensorScope.Enter())
            {
                var x = TestTensors.Uniform(1, true, 4, 16);
                var y = Functional.LayerNorm(x, w, b);
                y.Backward(Tensor.Ones(4, 16));
            }
        }
        Assert.NotNull(w.Grad);
    }

    [Fact]
    public void RejectsMismatchedWeight()
    {
        var x = TestTensors.Uniform(1, 2, 8);
        var e = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(x, Tensor.Ones(7)));
        Assert.Contains("[8]", e.Message);
    }
}
