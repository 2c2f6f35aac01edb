using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class LossTests
{
    [Theory]
    [InlineData("ce", 0f)]
    [InlineData("ce_ls", 0.1f)]
    [InlineData("ce_ignore", 0.2f)]
    public void CrossEntropyMatchesTorch(string tag, float smoothing)
    {
        var logits = GoldenAssert.Get(tag + ".logits", true);
        var loss = F.CrossEntropy(logits, GoldenAssert.Indices(tag + ".targets"), smoothing);
        Assert.Equal(0, loss.Rank);
        GoldenAssert.Close(tag + ".loss", loss, 1e-5);
        loss.Backward();
        GoldenAssert.Close(tag + ".dlogits", logits.Grad!, 1e-5);
    }

    [Fact]
    public void SoftTargetCrossEntropyMatchesTorch()
    {
        var logits = GoldenAssert.Get("soft_ce.logits", true);
        var targets = GoldenAssert.Get("soft_ce.targets", true);
        var loss = F.SoftTargetCrossEntropy(logits, targets);
        Assert.Equal(0, loss.Rank);
        GoldenAssert.Close("soft_ce.loss", loss, 1e-5);
        loss.Backward();
        GoldenAssert.Close("soft_ce.dlogits", logits.Grad!, 1e-5);
        GoldenAssert.Close("soft_ce.dtargets", targets.Grad!, 1e-5);
    }

    [Fact]
    public void Gradients()
    {
        int[] targets = [2, 0, 4, 4, 1];
        foreach (float eps in new[] { 0f, 0.3f })
            GradCheck.Check(t => F.CrossEntropy(t[0], targets, eps), [TestTensors.Uniform(1, true, 5, 6)], tolerance: 2e-3);
        GradCheck.Check(t => F.CrossEntropy(t[0], [1, -100, 3], 0.1f), [TestTensors.Uniform(2, true, 3, 4)], tolerance: 2e-3);
        // Logits as a strided view.
        GradCheck.Check(t => F.CrossEntropy(t[0], [1, 2, 0], 0f), [TestTensors.Uniform(3, true, 4, 3).Transpose(0, 1)], tolerance: 2e-3);
        GradCheck.Check(t => F.SoftTargetCrossEntropy(t[0], t[1]), [TestTensors.Uniform(4, true, 3, 5), TestTensors.Uniform(5, true, 3, 5)], tolerance: 2e-3);
    }

    [Fact]
    public void BadInputsThrow()
    {
        var logits = Tensor.Zeros(2, 3);
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(logits, [0]));
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(logits, [0, 3]));
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(logits, [0, 1], 1.5f));
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(Tensor.Zeros(3), [0]));
        Assert.Throws<ArgumentException>(() => F.SoftTargetCrossEntropy(logits, Tensor.Zeros(2, 4)));
    }
}
