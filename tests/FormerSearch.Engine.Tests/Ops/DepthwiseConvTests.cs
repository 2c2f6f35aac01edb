using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class DepthwiseConvTests
{
    [Theory]
    // k, stride, padding, channels
    [InlineData(3, 1, 1, 5)]
    [InlineData(3, 2, 1, 17)]
    [InlineData(7, 1, 3, 3)]
    [InlineData(1, 1, 0, 4)]
    [InlineData(5, 2, 2, 19)]
    public void Conv2dGradientsMatchFiniteDifferences(int k, int s, int p, int c)
    {
        var x = TestTensors.Uniform(1, true, 2, 7, 6, c);
        var w = TestTensors.Uniform(2, true, c, k, k);
        var b = TestTensors.Uniform(3, true, c);
        GradCheck.Check(t => Functional.DepthwiseConv2d(t[0], t[1], t[2], s, p), [x, w, b], maxElementsPerInput: 80);
    }

    [Fact]
    public void Conv2dOnViews()
    {
        // Channel slice of the input, and the first C rows of a larger weight viewed through a permutation.
        var big = TestTensors.Uniform(1, true, 2, 5, 6, 20);
        var wBig = TestTensors.Uniform(2, true, 3, 3, 24);  // stored [kh, kw, Cmax]; used as [C, kh, kw]
        var bBig = TestTensors.Uniform(3, true, 24);
        GradCheck.Check(t => Functional.DepthwiseConv2d(t[0].Narrow(3, 0, 17), t[1].Permute(2, 0, 1).Narrow(0, 0, 17), t[2].Narrow(0, 0, 17), 1, 1),
            [big, wBig, bBig], maxElementsPerInput: 80);
    }

    [Fact]
    public void Conv2dWithGroupsEqualChannelsIsDepthwise()
    {
        var x = TestTensors.Uniform(1, 2, 5, 5, 6);
        var w = TestTensors.Uniform(2, 6, 3, 3);
        var viaConv = Functional.Conv2d(x, w.Reshape(6, 3, 3, 1), null, 1, 1, 6).ToArray();
        var direct = Functional.DepthwiseConv2d(x, w, null, 1, 1).ToArray();
        Assert.Equal(direct, viaConv);
    }

    [Theory]
    [InlineData(3, 5, 9)]
    [InlineData(17, 4, 20)]
    [InlineData(45, 3, 50)]
    [InlineData(4, 3, 7)]
    public void Conv1dGradientsMatchFiniteDifferences(int k, int c, int n)
    {
        var x = TestTensors.Uniform(1, true, 2, n, c);
        var w = TestTensors.Uniform(2, true, c, k);
        var b = TestTensors.Uniform(3, true, c);
        var y = Functional.DepthwiseConv1d(x, w, b);
        Assert.Equal([2, n + 2 * (k / 2) - k + 1, c], y.Shape.ToArray());
        GradCheck.Check(t => Functional.DepthwiseConv1d(t[0], t[1], t[2]), [x, w, b], maxElementsPerInput: 60);
    }

    [Fact]
    public void Conv1dOnPrefixViews()
    {
        var big = TestTensors.Uniform(1, true, 2, 11, 9);
        var wBig = TestTensors.Uniform(2, true, 12, 5);
        GradCheck.Check(t => Functional.DepthwiseConv1d(t[0].Narrow(2, 0, 7), t[1].Narrow(0, 0, 7)), [big, wBig], maxElementsPerInput: 60);
    }

    [Fact]
    public void RejectsBadShapes()
    {
        var x = TestTensors.Uniform(1, 1, 5, 5, 6);
        Assert.Throws<ArgumentException>(() => Functional.DepthwiseConv2d(x, Tensor.Zeros(5, 3, 3)));
        Assert.Throws<ArgumentException>(() => Functional.DepthwiseConv2d(x, Tensor.Zeros(6, 9, 9)));
        Assert.Throws<ArgumentException>(() => Functional.DepthwiseConv1d(TestTensors.Uniform(1, 2, 5, 6), Tensor.Zeros(5, 3)));
    }
}
