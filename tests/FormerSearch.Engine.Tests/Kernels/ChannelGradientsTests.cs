using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Kernels;

[Collection(ElementwiseThreadsCollection.Name)]
public sealed class ChannelGradientsTests
{
    public static TheoryData<int, int> Sizes => new()
    {
        { 2, 1 }, { 3, 5 }, { 31, 16 }, { 33, 17 }, { 100, 64 }, { 65, 70 }, { 257, 3 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AddAndMulBackwardMatchNaiveLoops(int rows, int c)
    {
        var g = Random(1, rows * c);
        var x = Random(2, rows * c);
        var v = Random(3, c);
        foreach (bool mul in new[] { false, true })
        {
            var gx = Random(4, rows * c);
            var gv = Random(5, c);
            var wantGx = gx.Select(d => (double)d).ToArray();
            var wantGv = gv.Select(d => (double)d).ToArray();
            for (int r = 0; r < rows; r++)
                for (int ch = 0; ch < c; ch++)
                {
                    int i = r * c + ch;
                    wantGx[i] += mul ? (double)g[i] * v[ch] : g[i];
                    wantGv[ch] += mul ? (double)g[i] * x[i] : g[i];
                }
            if (mul) ChannelGradients.MulBackward(g, x, v, rows, c, new(gx, gv));
            else ChannelGradients.AddBackward(g, rows, c, new(gx, gv));
            TestTensors.AssertClose(wantGx.Select(d => (float)d).ToArray(), gx, 1e-6, $"gx mul={mul}");
            TestTensors.AssertClose(wantGv.Select(d => (float)d).ToArray(), gv, 1e-5, $"gv mul={mul}");

            // Each gradient alone.
            var onlyGx = Random(4, rows * c);
            var onlyGv = Random(5, c);
            if (mul)
            {
                ChannelGradients.MulBackward(g, x, v, rows, c, new(onlyGx, null));
                ChannelGradients.MulBackward(g, x, v, rows, c, new(null, onlyGv));
            }
            else
            {
                ChannelGradients.AddBackward(g, rows, c, new(onlyGx, null));
                ChannelGradients.AddBackward(g, rows, c, new(null, onlyGv));
            }
            Assert.Equal(gx, onlyGx);
            Assert.Equal(gv, onlyGv);
        }
    }

    [Fact]
    public void EveryChannelCountUpTo256()
    {
        // 34 rows: two row chunks; every channel count: the 64-channel groups, single 16-blocks and the scalar tail.
        for (int c = 1; c <= 256; c++) AddAndMulBackwardMatchNaiveLoops(34, c);
    }

    [Fact]
    public void RecognisesPerChannelShapes()
    {
        Assert.True(ChannelGradients.IsPerChannel([4, 5, 6], [6], out int rows, out int c) && rows == 20 && c == 6);
        Assert.True(ChannelGradients.IsPerChannel([4, 5, 6], [1, 5, 6], out rows, out c) && rows == 4 && c == 30);
        Assert.True(ChannelGradients.IsPerChannel([4, 5, 6], [1, 1, 6], out rows, out c) && rows == 20 && c == 6);
        Assert.False(ChannelGradients.IsPerChannel([4, 5, 6], [4, 1, 6], out _, out _));
        Assert.False(ChannelGradients.IsPerChannel([4, 5, 6], [5, 1], out _, out _));
        Assert.False(ChannelGradients.IsPerChannel([1, 6], [6], out _, out _));
    }

    [Fact]
    public void LayerScaleAndBiasGradientsAreIdenticalForOneAndTwoThreads()
    {
        var (one, two) = ThreadCounts.RunBoth(() =>
        {
            var x = TestTensors.Uniform(1, true, 64, 197, 48);
            var gamma = TestTensors.Uniform(2, true, 48);
            var bias = TestTensors.Uniform(3, true, 1, 1, 48);
            var y = Functional.Add(bias, Functional.Mul(x, gamma));
            y.Backward(TestTensors.Uniform(5, 64, 197, 48));
            return [.. x.Grad!.ToArray(), .. gamma.Grad!.ToArray(), .. bias.Grad!.ToArray()];
        });
        ThreadCounts.AssertBitwiseEqual(one, two);
    }

    [Fact]
    public void PerChannelOpsMatchGradCheckInBothOperandOrders()
    {
        GradCheck.Check(t => Functional.Mul(t[0], t[1]), [TestTensors.Uniform(1, true, 5, 3, 19), TestTensors.Uniform(2, true, 19)], eps: 1e-2, tolerance: 2e-3);
        GradCheck.Check(t => Functional.Mul(t[1], t[0]), [TestTensors.Uniform(3, true, 37, 18), TestTensors.Uniform(4, true, 1, 18)], eps: 1e-2, tolerance: 2e-3);
        GradCheck.Check(t => Functional.Add(t[1], t[0]), [TestTensors.Uniform(5, true, 7, 33), TestTensors.Uniform(6, true, 33)], eps: 1e-2, tolerance: 2e-3);
        // A strided full-size operand (a view of a bigger tensor).
        var big = TestTensors.Uniform(7, true, 6, 9, 20);
        GradCheck.Check(t => Functional.Mul(t[0].Narrow(1, 2, 5), t[1]), [big, TestTensors.Uniform(8, true, 20)], eps: 1e-2, tolerance: 2e-3);
    }

    private static float[] Random(int seed, int n)
    {
        var v = new float[n];
        new Generator((ulong)seed).FillUniform(v, -1f, 1f);
        return v;
    }
}
