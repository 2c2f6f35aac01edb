using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class Conv2dTests
{
    [Theory]
    // cin, cout, k, stride, padding, groups
    [InlineData(3, 5, 3, 2, 1, 1)]
    [InlineData(3, 4, 7, 4, 2, 1)]
    [InlineData(4, 6, 3, 1, 1, 2)]
    [InlineData(5, 7, 1, 1, 0, 1)]
    [InlineData(6, 4, 1, 1, 0, 2)]
    [InlineData(3, 2, 1, 2, 0, 1)]
    [InlineData(2, 3, 2, 1, 0, 1)]
    [InlineData(4, 4, 3, 2, 1, 4)]
    public void GradientsMatchFiniteDifferences(int cin, int cout, int k, int s, int p, int groups)
    {
        var x = TestTensors.Uniform(1, true, 2, 9, 7, cin);
        var w = TestTensors.Uniform(2, true, cout, k, k, cin / groups);
        var b = TestTensors.Uniform(3, true, cout);
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1], t[2], s, p, groups), [x, w, b], tolerance: 1e-2, maxElementsPerInput: 80);
    }

    [Fact]
    public void AsymmetricStrideAndPadding()
    {
        var x = TestTensors.Uniform(1, true, 1, 8, 9, 3);
        var w = TestTensors.Uniform(2, true, 4, 3, 5, 3);
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1], null, (2, 1), (0, 2)), [x, w], maxElementsPerInput: 80);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(1, 1)]
    public void PrefixWeightViewAndStridedInput(int k, int padding)
    {
        // The first 5 of 8 output channels of a shared weight, on a narrowed (strided) input.
        var big = TestTensors.Uniform(1, true, 2, 6, 7, 6);
        var wBig = TestTensors.Uniform(2, true, 8, k, k, 4);
        var bBig = TestTensors.Uniform(3, true, 8);
        GradCheck.Check(t => Functional.Conv2d(t[0].Narrow(3, 1, 4), t[1].Narrow(0, 0, 5), t[2].Narrow(0, 0, 5), 1, padding), [big, wBig, bBig], maxElementsPerInput: 80);
        Assert.All(wBig.Grad!.ToArray()[(5 * k * k * 4)..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void InputChannelSliceOfWeightIsCopied()
    {
        // A weight narrowed on its last dimension is strided; it is copied, and gradients still land in the slice.
        var x = TestTensors.Uniform(1, true, 1, 5, 5, 3);
        var wBig = TestTensors.Uniform(2, true, 4, 3, 3, 6);
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1].Narrow(3, 0, 3), null, 1, 1), [x, wBig], maxElementsPerInput: 80);
    }

    [Fact]
    public void RejectsBadShapes()
    {
        var x = TestTensors.Uniform(1, 1, 5, 5, 6);
        Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, Tensor.Zeros(4, 3, 3, 5)));
        Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, Tensor.Zeros(4, 3, 3, 3), null, 1, 0, 4));
        Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, Tensor.Zeros(4, 7, 7, 6)));
        Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, Tensor.Zeros(4, 3, 3, 6), Tensor.Zeros(3)));
        Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, Tensor.Zeros(4, 3, 3, 6), null, 0));
    }
}
