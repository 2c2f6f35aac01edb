using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Activations;

namespace FormerSearch.Engine.Tests.Kernels;

public sealed class FastExpTests
{
    [Fact]
    public void WithinOneUlpOfFloat64ExpAndVectorEqualsScalar()
    {
        double worst = 0;
        for (float x = -87f; x < 88f; x += 0.00731f)
        {
            double e = Math.Exp(x);
            float s = FastExp.Scalar(x);
            worst = Math.Max(worst, Math.Abs(s - e) / e);
            Assert.Equal(BitConverter.SingleToInt32Bits(s), BitConverter.SingleToInt32Bits(FastExp.Vector(Vector512.Create(x)).ToScalar()));
        }
        // One float32 ulp is at most 2^-23 ≈ 1.19e-7 relative.
        Assert.True(worst <= 1.2e-7, $"worst relative error {worst:E3}");
    }

    [Fact]
    public void SpecialValues()
    {
        float[] x = [float.NaN, float.NegativeInfinity, -100f, 0f, -0f, 1f, -87.5f];
        foreach (var y in new[] { x.Select(FastExp.Scalar).ToArray(), Vector(x) })
        {
            Assert.True(float.IsNaN(y[0]));
            Assert.Equal(0f, y[1]);
            Assert.Equal(0f, y[2]);
            Assert.Equal(1f, y[3]);
            Assert.Equal(1f, y[4]);
            Assert.Equal(MathF.E, y[5], 2e-7f);
            Assert.Equal(0f, y[6]);
        }
    }

    private static float[] Vector(float[] x)
    {
        var padded = new float[16];
        x.CopyTo(padded, 0);
        var y = FastExp.Vector(Vector512.Create(padded));
        return [.. Enumerable.Range(0, x.Length).Select(i => y[i])];
    }
}
