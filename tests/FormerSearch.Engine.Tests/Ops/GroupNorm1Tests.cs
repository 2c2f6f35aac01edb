using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class GroupNorm1Tests
{
    [Theory]
    [InlineData(new[] { 2, 3, 5, 7 })]
    [InlineData(new[] { 3, 11, 5 })]
    [InlineData(new[] { 1, 9, 7, 3 })]
    public void GradientsMatchFiniteDifferences(int[] shape)
    {
        int c = shape[^1];
        var x = TestTensors.Uniform(1, true, shape);
        var w = TestTensors.Uniform(2, true, c);
        var b = TestTensors.Uniform(3, true, c);
        GradCheck.Check(t => Functional.GroupNorm1(t[0], t[1], t[2]), [x, w, b], tolerance: 2e-2);
    }

    [Fact]
    public void GradientsFlowThroughViews()
    {
        var big = TestTensors.Uniform(4, true, 2, 6, 5, 9);
        var wBig = TestTensors.Uniform(5, true, 12);
        var bBig = TestTensors.Uniform(6, true, 12);
        // A spatial crop with a channel prefix: strided in every dimension but the last.
        GradCheck.Check(t => Functional.GroupNorm1(t[0].Narrow(1, 1, 5).Narrow(3, 0, 7), t[1].Narrow(0, 0, 7), t[2].Narrow(0, 0, 7)), [big, wBig, bBig], tolerance: 2e-2);
    }

    [Fact]
    public void ManyPositionsUseSeveralChunks()
    {
        // 3·40 = 120 rows per sample: more than one reduction chunk.
        var x = TestTensors.Uniform(8, true, 2, 3, 40, 5);
        var w = TestTensors.Uniform(9, true, 5);
        var b = TestTensors.Uniform(10, true, 5);
        GradCheck.Check(t => Functional.GroupNorm1(t[0], t[1], t[2]), [x, w, b], tolerance: 2e-2, maxElementsPerInput: 60);
    }

    [Fact]
    public void RejectsVectors()
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.GroupNorm1(TestTensors.Uniform(1, 8), null, null));
        Assert.Contains("[8]", e.Message);
    }
}
