using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class ActivationTests
{
    /// <summary>Uniform inputs pushed at least 0.05 away from the kinks of ReLU/ReLU6 (0 and 6) so finite differences do not straddle them.</summary>
    private static Tensor AwayFromKinks(int seed, float range, params int[] shape)
    {
        var t = TestTensors.Uniform(seed, shape);
        var s = t.AsSpan();
        for (int i = 0; i < s.Length; i++)
        {
            float v = s[i] * range;
            if (MathF.Abs(v) < 0.05f) v = v < 0 ? -0.05f - 0.1f : 0.05f + 0.1f;
            if (MathF.Abs(v - 6f) < 0.05f) v = 6.2f;
            s[i] = v;
        }
        t.RequiresGrad = true;
        return t;
    }

    public static TheoryData<string> Names => new() { "gelu", "relu", "relu6", "silu", "sigmoid", "tanh" };

    private static Func<Tensor, Tensor> Op(string name) => name switch
    {
        "gelu" => F.Gelu,
        "relu" => F.Relu,
        "relu6" => F.Relu6,
        "silu" => F.Silu,
        "sigmoid" => F.Sigmoid,
        _ => F.Tanh,
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradients(string name)
    {
        var op = Op(name);
        GradCheck.Check(t => op(t[0]), [AwayFromKinks(1, 8f, 3, 7, 5)], eps: 1e-2, tolerance: 2e-3);
        // A strided view input.
        var view = AwayFromKinks(2, 8f, 6, 5).Transpose(0, 1).Narrow(1, 1, 4);
        GradCheck.Check(t => op(t[0]), [view], eps: 1e-2, tolerance: 2e-3);
    }

    [Theory]
    [InlineData("gelu", 1e-5)]
    [InlineData("silu", 1e-5)]
    [InlineData("sigmoid", 1e-5)]
    [InlineData("tanh", 1e-5)]
    [InlineData("relu6", 0)]
    public void MatchesTorch(string name, double tolerance)
    {
        var x = GoldenAssert.Get(name + ".x", true);
        var y = Op(name)(x);
        GoldenAssert.Close(name + ".y", y, tolerance);
        y.Backward(GoldenAssert.Get(name + ".g"));
        GoldenAssert.Close(name + ".dx", x.Grad!, tolerance);
    }

    [Fact]
    public void GeluIsExactForLargeAndTinyInputs()
    {
        // Saturation: GELU(x) = x for large x, 0 (not NaN) for very negative x; x/2 near 0.
        var y = F.Gelu(Tensor.FromArray([40f, -40f, 1e-30f, -1e-7f, float.NaN], 5)).ToArray();
        Assert.Equal(40f, y[0]);
        Assert.Equal(0f, y[1]);
        Assert.Equal(0.5e-30f, y[2]);
        Assert.Equal(-0.5e-7f, y[3], 1e-13f);
        Assert.True(float.IsNaN(y[4]));
    }

    [Fact]
    public void GluMatchesTorchAndGradients()
    {
        var x = GoldenAssert.Get("glu.x", true);
        var y = F.Glu(x);
        GoldenAssert.Close("glu.y", y, 1e-6);
        y.Backward(GoldenAssert.Get("glu.g"));
        GoldenAssert.Close("glu.dx", x.Grad!, 1e-6);

        GradCheck.Check(t => F.Glu(t[0]), [TestTensors.Uniform(3, true, 3, 5, 6)], tolerance: 2e-3);
        GradCheck.Check(t => F.Glu(t[0], 1), [TestTensors.Uniform(4, true, 3, 4, 3)], tolerance: 2e-3);
        GradCheck.Check(t => F.Glu(t[0], 0), [TestTensors.Uniform(5, true, 3, 6).Transpose(0, 1)], tolerance: 2e-3);
        Assert.Throws<ArgumentException>(() => F.Glu(Tensor.Zeros(2, 5)));
    }

    [Fact]
    public void StarReluValuesAndGradients()
    {
        var x = AwayFromKinks(6, 3f, 4, 9);
        var scale = Tensor.FromArray([0.8944f], 1);
        var bias = Tensor.FromArray([-0.4472f], 1);
        scale.RequiresGrad = bias.RequiresGrad = true;
        var y = F.StarRelu(x, scale, bias).ToArray();
        var v = x.ToArray();
        for (int i = 0; i < v.Length; i++)
        {
            float r = MathF.Max(v[i], 0f);
            Assert.Equal(0.8944f * r * r - 0.4472f, y[i], 1e-6f);
        }
        GradCheck.Check(t => F.StarRelu(t[0], t[1], t[2]), [x, scale, bias], tolerance: 2e-3);
        Assert.Throws<ArgumentException>(() => F.StarRelu(x, Tensor.Zeros(2), bias));
    }
}
