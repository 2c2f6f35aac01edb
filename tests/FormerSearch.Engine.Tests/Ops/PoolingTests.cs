using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class PoolingTests
{
    [Fact]
    public void AvgPool3x3ExcludesPaddingFromTheCount()
    {
        // A constant image stays constant at the borders only if padding is not counted.
        var x = Tensor.Full(2f, 1, 4, 5, 3);
        Assert.All(Functional.AvgPool3x3(x).ToArray(), v => Assert.Equal(2f, v, 6));
        var corner = Functional.AvgPool2d(x, (3, 3), (1, 1), (1, 1), countIncludePad: true)[0, 0, 0, 0];
        Assert.Equal(2f * 4 / 9, corner, 6);
    }

    [Theory]
    [InlineData(3, 1, 1, false)]
    [InlineData(3, 2, 1, true)]
    [InlineData(2, 2, 0, true)]
    [InlineData(3, 2, 1, false)]
    public void AvgPoolGradientsMatchFiniteDifferences(int k, int s, int p, bool include)
    {
        var x = TestTensors.Uniform(1, true, 2, 7, 6, 5);
        GradCheck.Check(t => Functional.AvgPool2d(t[0], (k, k), (s, s), (p, p), include), [x], maxElementsPerInput: 100);
    }

    [Fact]
    public void AvgPoolOnAView()
    {
        var big = TestTensors.Uniform(1, true, 2, 6, 5, 9);
        GradCheck.Check(t => Functional.AvgPool3x3(t[0].Narrow(3, 2, 5)), [big], maxElementsPerInput: 100);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 5, 7 })]
    [InlineData(new[] { 3, 40, 9 })]
    public void GlobalAvgPoolGradientsMatchFiniteDifferences(int[] shape)
    {
        var x = TestTensors.Uniform(1, true, shape);
        GradCheck.Check(t => Functional.GlobalAvgPool(t[0]), [x], maxElementsPerInput: 100);
        Assert.Equal([shape[0], shape[^1]], Functional.GlobalAvgPool(x).Shape.ToArray());
    }

    [Fact]
    public void GlobalAvgPoolOnAView()
    {
        var big = TestTensors.Uniform(1, true, 2, 4, 5, 6);
        GradCheck.Check(t => Functional.GlobalAvgPool(t[0].Narrow(2, 1, 3)), [big], maxElementsPerInput: 100);
    }

    [Fact]
    public void RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => Functional.AvgPool3x3(TestTensors.Uniform(1, 2, 3, 4)));
        Assert.Throws<ArgumentException>(() => Functional.AvgPool2d(TestTensors.Uniform(1, 1, 5, 5, 2), 3, 1, 2));
        Assert.Throws<ArgumentException>(() => Functional.GlobalAvgPool(TestTensors.Uniform(1, 2, 3)));
    }
}
