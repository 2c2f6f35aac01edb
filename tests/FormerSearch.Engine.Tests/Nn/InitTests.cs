using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Tests.Nn;

/// <summary>Initialiser statistics over large tensors (mean, std, bounds) against the distributions PyTorch/timm define.</summary>
public sealed class InitTests
{
    private static (double Mean, double Std, double Min, double Max) Stats(Tensor t)
    {
        var a = t.ToArray();
        double sum = 0, sq = 0, min = double.MaxValue, max = double.MinValue;
        foreach (float v in a)
        {
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        double mean = sum / a.Length;
        foreach (float v in a) sq += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(sq / a.Length), min, max);
    }

    [Fact]
    public void Fans_follow_pytorch_for_linear_and_channels_last_conv()
    {
        Assert.Equal((7L, 5L), Init.Fans([5, 7]));
        // OHWI [out=16, kh=3, kw=3, in/groups=4]: fan_in = 4·9, fan_out = 16·9, as torch for [16, 4, 3, 3].
        Assert.Equal((36L, 144L), Init.Fans([16, 3, 3, 4]));
        Assert.Throws<ArgumentException>(() => Init.Fans([5]));
    }

    [Fact]
    public void Uniform_and_normal_have_the_requested_moments()
    {
        var g = new Generator(1);
        var u = Stats(Init.Uniform(Tensor.Zeros(200_000), g, -2, 4));
        Assert.Equal(1.0, u.Mean, 1);
        Assert.Equal(6 / Math.Sqrt(12), u.Std, 1);
        Assert.True(u.Min >= -2 && u.Max < 4);
        var n = Stats(Init.Normal(Tensor.Zeros(200_000), g, 0.5, 0.02));
        Assert.Equal(0.5, n.Mean, 3);
        Assert.Equal(0.02, n.Std, 3);
    }

    [Fact]
    public void Trunc_normal_respects_absolute_bounds()
    {
        var g = new Generator(2);
        // timm's ViT default: std 0.02 with bounds ±2 cuts nothing.
        var wide = Stats(Init.TruncNormal(Tensor.Zeros(200_000), g, std: 0.02));
        Assert.Equal(0.0, wide.Mean, 3);
        Assert.Equal(0.02, wide.Std, 3);
        // Bounds ±1 std: the truncated normal's std is √(1 − 2φ(1)/(Φ(1) − Φ(−1))) ≈ 0.5396.
        var tight = Stats(Init.TruncNormal(Tensor.Zeros(200_000), g, mean: 1, std: 1, a: 0, b: 2));
        Assert.True(tight.Min >= 0 && tight.Max <= 2);
        Assert.Equal(1.0, tight.Mean, 2);
        Assert.Equal(0.5396, tight.Std, 2);
        Assert.Throws<ArgumentException>(() => Init.TruncNormal(Tensor.Zeros(4), g, std: 1, a: 10, b: 11));
        Assert.Throws<ArgumentException>(() => Init.TruncNormal(Tensor.Zeros(4), g, std: 1, a: 1, b: 0));
    }

    [Fact]
    public void Kaiming_and_xavier_scale_with_the_fans()
    {
        var g = new Generator(3);
        // Linear's default: kaiming_uniform(a=√5) → U(±1/√fan_in).
        var w = Stats(Init.KaimingUniform(Tensor.Zeros(400, 500), g, a: Math.Sqrt(5)));
        double bound = 1 / Math.Sqrt(500);
        Assert.True(w.Min >= -bound && w.Max <= bound && w.Max > 0.99 * bound);
        Assert.Equal(bound / Math.Sqrt(3), w.Std, 4);

        var kn = Stats(Init.KaimingNormal(Tensor.Zeros(64, 3, 3, 32), g, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu));
        Assert.Equal(Math.Sqrt(2.0 / (64 * 9)), kn.Std, 3);

        var xu = Stats(Init.XavierUniform(Tensor.Zeros(300, 200), g));
        double xb = Math.Sqrt(6.0 / 500);
        Assert.True(xu.Min >= -xb && xu.Max <= xb);
        Assert.Equal(xb / Math.Sqrt(3), xu.Std, 3);

        Assert.Equal(5.0 / 3, Init.Gain(Nonlinearity.Tanh));
        Assert.Equal(Math.Sqrt(2.0 / 1.01), Init.Gain(Nonlinearity.LeakyRelu, 0.1), 15);
    }

    [Fact]
    public void Constants_and_determinism()
    {
        Assert.All(Init.Ones(Tensor.Zeros(5)).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Init.Constant(Tensor.Zeros(5), 0.5).ToArray(), v => Assert.Equal(0.5f, v));
        Assert.All(Init.Zeros(Tensor.Ones(5)).ToArray(), v => Assert.Equal(0f, v));
        var a = Init.TruncNormal(Tensor.Zeros(100), new Generator(9), std: 0.02).ToArray();
        var b = Init.TruncNormal(Tensor.Zeros(100), new Generator(9), std: 0.02).ToArray();
        Assert.Equal(a, b);
    }
}
