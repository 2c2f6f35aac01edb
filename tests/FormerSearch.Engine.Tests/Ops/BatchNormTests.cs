using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class BatchNormTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GradientsMatchFiniteDifferences(bool training)
    {
        var x = TestTensors.Uniform(1, true, 3, 5, 4, 7);
        var w = TestTensors.Uniform(2, true, 7);
        var b = TestTensors.Uniform(3, true, 7);
        var rm = TestTensors.Uniform(4, 7);
        var rv = Tensor.Full(0.8f, 7);
        GradCheck.Check(t => Functional.BatchNorm(t[0], t[1], t[2], training ? null : rm, training ? null : rv, training), [x, w, b], tolerance: 2e-2);
    }

    [Fact]
    public void TokensAndViewsWithPrefixRunningStats()
    {
        var big = TestTensors.Uniform(5, true, 2, 9, 12);
        var wBig = TestTensors.Uniform(6, true, 16);
        var bBig = TestTensors.Uniform(7, true, 16);
        var rmBig = Tensor.Zeros(16);
        var rvBig = Tensor.Ones(16);
        GradCheck.Check(t => Functional.BatchNorm(t[0].Narrow(2, 1, 10), t[1].Narrow(0, 0, 10), t[2].Narrow(0, 0, 10),
            rmBig.Narrow(0, 0, 10), rvBig.Narrow(0, 0, 10), training: true), [big, wBig, bBig], tolerance: 2e-2);
        // Only the slice of the running statistics moved.
        Assert.All(rmBig.ToArray()[10..], v => Assert.Equal(0f, v));
        Assert.All(rvBig.ToArray()[10..], v => Assert.Equal(1f, v));
        Assert.Contains(rmBig.ToArray()[..10], v => v != 0f);
    }

    [Fact]
    public void RunningStatisticsFollowPyTorchsMomentumRule()
    {
        // Values 1..4 in one channel: mean 2.5, biased variance 1.25, unbiased 5/3.
        var x = Tensor.FromSpan([1f, 2f, 3f, 4f], 4, 1);
        var rm = Tensor.Full(1f, 1);
        var rv = Tensor.Full(2f, 1);
        var y = Functional.BatchNorm(x, null, null, rm, rv, training: true, momentum: 0.1f);
        Assert.Equal(0.9f * 1f + 0.1f * 2.5f, rm[0], 6);
        Assert.Equal(0.9f * 2f + 0.1f * (5f / 3f), rv[0], 6);
        Assert.Equal((1f - 2.5f) / MathF.Sqrt(1.25f + 1e-5f), y[0, 0], 5);
    }

    [Fact]
    public void RejectsBadInput()
    {
        var x = TestTensors.Uniform(1, 1, 4);
        Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, null, null, null, null, training: true));
        Assert.Throws<ArgumentException>(() => Functional.BatchNorm(TestTensors.Uniform(1, 3, 4), null, null, null, null, training: false));
        var strided = Tensor.Zeros(4, 2).Select(1, 0);
        Assert.Throws<ArgumentException>(() => Functional.BatchNorm(TestTensors.Uniform(1, 3, 4), null, null, strided, Tensor.Ones(4), training: true));
    }
}
