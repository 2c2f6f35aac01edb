using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class SoftmaxTests
{
    [Theory]
    [InlineData("softmax")]
    [InlineData("log_softmax")]
    public void MatchesTorch(string name)
    {
        var x = GoldenAssert.Get(name + ".x", true);
        var y = name == "softmax" ? F.Softmax(x) : F.LogSoftmax(x);
        GoldenAssert.Close(name + ".y", y, 1e-5);
        y.Backward(GoldenAssert.Get(name + ".g"));
        GoldenAssert.Close(name + ".dx", x.Grad!, 1e-5);
    }

    [Fact]
    public void Gradients()
    {
        GradCheck.Check(t => F.Softmax(t[0]), [TestTensors.Uniform(1, true, 3, 4, 7)], tolerance: 2e-3);
        GradCheck.Check(t => F.LogSoftmax(t[0]), [TestTensors.Uniform(2, true, 5, 9)], tolerance: 2e-3);
        // Softmax over a strided (transposed) view.
        GradCheck.Check(t => F.Softmax(t[0]), [TestTensors.Uniform(3, true, 6, 4).Transpose(0, 1)], tolerance: 2e-3);
        GradCheck.Check(t => F.LogSoftmax(t[0]), [TestTensors.Uniform(4, true, 6, 4).Transpose(0, 1)], tolerance: 2e-3);
    }

    [Fact]
    public void StableForHugeLogits()
    {
        var y = F.Softmax(Tensor.FromArray([1000f, 1000f, -1000f], 1, 3)).ToArray();
        Assert.Equal([0.5f, 0.5f, 0f], y);
        var l = F.LogSoftmax(Tensor.FromArray([1000f, 0f], 1, 2)).ToArray();
        Assert.Equal(0f, l[0]);
        Assert.Equal(-1000f, l[1]);
    }
}
