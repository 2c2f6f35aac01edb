using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class ReductionTests
{
    [Fact]
    public void SumAndMeanOverAxesMatchNaiveLoops()
    {
        var x = TestTensors.Uniform(1, 3, 4, 5);
        var v = x.ToArray();
        float At(int i, int j, int k) => v[(i * 4 + j) * 5 + k];

        var s1 = F.Sum(x, [1]);
        Assert.Equal([3, 5], s1.Shape.ToArray());
        var m02 = F.Mean(x, [0, -1], keepDim: true);
        Assert.Equal([1, 4, 1], m02.Shape.ToArray());
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 5; k++)
            {
                double e = 0;
                for (int j = 0; j < 4; j++) e += At(i, j, k);
                Assert.Equal(e, s1[i, k], 5);
            }
        for (int j = 0; j < 4; j++)
        {
            double e = 0;
            for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) e += At(i, j, k);
            Assert.Equal(e / 15, m02[0, j, 0], 5);
        }
        var total = F.Sum(x);
        Assert.Equal(0, total.Rank);
        Assert.Equal(v.Sum(e => (double)e), total.Item(), 4);
        Assert.Equal(v.Average(e => (double)e), F.Mean(x).Item(), 5);
    }

    public static TheoryData<int[]> DimSets => new()
    {
        new[] { 0 }, new[] { 1 }, new[] { 2 }, new[] { -1 }, new[] { 0, 2 }, new[] { 1, 2 }, new[] { 0, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(DimSets))]
    public void Gradients(int[] dims)
    {
        foreach (bool keep in new[] { false, true })
        {
            var x = TestTensors.Uniform(2, true, 3, 4, 5);
            GradCheck.Check(t => F.Sum(t[0], dims, keep), [x], tolerance: 2e-3);
            GradCheck.Check(t => F.Mean(t[0], dims, keep), [x], tolerance: 2e-3);
        }
    }

    [Fact]
    public void FullReductionsAndViews()
    {
        // A fresh [3, 5] strided view per check (ZeroGrad does not clear a strided view's gradient correctly).
        static Tensor View() => TestTensors.Uniform(3, true, 5, 7).Transpose(0, 1).Narrow(0, 2, 3);
        GradCheck.Check(t => F.Sum(t[0]), [View()], tolerance: 2e-3);
        GradCheck.Check(t => F.Mean(t[0]), [View()], tolerance: 2e-3);
        GradCheck.Check(t => F.Mean(t[0], [0]), [View()], tolerance: 2e-3);
    }

    [Fact]
    public void BadDimensionsThrow()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.Throws<ArgumentException>(() => F.Sum(x, [2]));
        Assert.Throws<ArgumentException>(() => F.Mean(x, [1, -1]));
        Assert.Throws<ArgumentException>(() => F.Sum(x, []));
    }
}
