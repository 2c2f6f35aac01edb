using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class BinaryOpsTests
{
    private static readonly Func<Tensor, Tensor, Tensor>[] s_ops = [F.Add, F.Sub, F.Mul, F.Div];

    /// <summary>Divisors kept away from zero so finite differences stay meaningful.</summary>
    private static Tensor Positive(int seed, params int[] shape)
    {
        var t = TestTensors.Uniform(seed, shape);
        var s = t.AsSpan();
        for (int i = 0; i < s.Length; i++) s[i] = 1.5f + s[i] * 0.5f;
        t.RequiresGrad = true;
        return t;
    }

    public static TheoryData<int[], int[]> Shapes => new()
    {
        { new[] { 3, 5 }, new[] { 3, 5 } },
        { new[] { 2, 3, 5 }, new[] { 5 } },
        { new[] { 3, 4, 5 }, new[] { 1, 4, 5 } },
        { new[] { 3, 2, 2, 3 }, new[] { 3, 1, 1, 1 } },
        { new[] { 1, 5 }, new[] { 4, 1 } },
        { new[] { 5 }, new int[0] },
        { new[] { 3 }, new[] { 2, 3 } },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradientsOfBroadcastOps(int[] aShape, int[] bShape)
    {
        for (int k = 0; k < s_ops.Length; k++)
        {
            var op = s_ops[k];
            var a = TestTensors.Uniform(10 + k, true, aShape);
            var b = Positive(20 + k, bShape);
            GradCheck.Check(x => op(x[0], x[1]), [a, b], eps: 1e-2, tolerance: 2e-3);
        }
    }

    [Fact]
    public void GradientsThroughViews()
    {
        // A strided column block of a matrix and a transposed view, broadcast against a channel vector.
        foreach (var op in s_ops)
        {
            // Fresh views per op: ZeroGrad on a strided view's gradient does not clear the right elements.
            var bBase = Positive(2, 5, 4);
            var b = bBase.Transpose(0, 1).Narrow(0, 1, 1); // [1, 5], strides [1, 4]
            var aBase = TestTensors.Uniform(1, true, 6, 9);
            GradCheck.Check(x => op(x[0], x[1]), [aBase.Narrow(1, 2, 5), b], tolerance: 2e-3);
        }
    }

    [Fact]
    public void BroadcastAddMulMatchesTorch()
    {
        var a = GoldenAssert.Get("bcast.a", true);
        var b = GoldenAssert.Get("bcast.b", true);
        var c = GoldenAssert.Get("bcast.c", true);
        var y = F.Mul(F.Add(a, b), c);
        GoldenAssert.Close("bcast.y", y, 1e-6);
        y.Backward(GoldenAssert.Get("bcast.g"));
        GoldenAssert.Close("bcast.da", a.Grad!, 1e-6);
        GoldenAssert.Close("bcast.db", b.Grad!, 1e-5);
        GoldenAssert.Close("bcast.dc", c.Grad!, 1e-5);
    }

    [Fact]
    public void ScalarVersionsAndNeg()
    {
        var x = TestTensors.Uniform(3, true, 4, 3);
        var v = x.ToArray();
        Assert.Equal(v.Select(e => e + 2f), F.Add(x, 2f).ToArray());
        Assert.Equal(v.Select(e => e - 2f), F.Sub(x, 2f).ToArray());
        Assert.Equal(v.Select(e => e * 3f), F.Mul(x, 3f).ToArray());
        Assert.Equal(v.Select(e => e / 3f), F.Div(x, 3f).ToArray());
        Assert.Equal(v.Select(e => -e), F.Neg(x).ToArray());
        GradCheck.Check(t => F.Add(t[0], 2f), [x]);
        GradCheck.Check(t => F.Sub(t[0], 2f), [x]);
        GradCheck.Check(t => F.Mul(t[0], -3f), [x]);
        GradCheck.Check(t => F.Div(t[0], 3f), [x]);
        GradCheck.Check(t => F.Neg(t[0]), [x]);
    }

    [Fact]
    public void IncompatibleShapesThrow()
    {
        var e = Assert.Throws<ArgumentException>(() => F.Add(Tensor.Zeros(2, 3), Tensor.Zeros(4)));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void SameInputTwice()
    {
        var x = TestTensors.Uniform(5, true, 7);
        GradCheck.Check(t => F.Mul(t[0], t[0]), [x], tolerance: 2e-3);
    }
}
