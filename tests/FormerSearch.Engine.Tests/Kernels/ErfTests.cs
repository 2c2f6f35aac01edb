using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Kernels;

public sealed class ErfTests
{
    /// <summary>Distance in ulps between two finite floats of the same sign region.</summary>
    private static long Ulps(float a, float b)
    {
        if (a == b) return 0;
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return Math.Abs((long)ia - ib);
    }

    [Fact]
    public void ScalarAndVectorAreWithinTwoUlpsOfFloat64Erf()
    {
        var golden = Golden.Load("elementwise");
        var x = golden["erf.x"].ToArray();
        var expected = golden["erf.y"].ToArray(); // float64 erf rounded to float32
        var vector = new float[x.Length];
        Erf.Compute(x, vector);
        long worstScalar = 0, worstVector = 0;
        for (int i = 0; i < x.Length; i++)
        {
            worstScalar = Math.Max(worstScalar, Ulps(expected[i], Erf.Scalar(x[i])));
            worstVector = Math.Max(worstVector, Ulps(expected[i], vector[i]));
        }
        Assert.True(worstScalar <= 2, $"scalar erf is {worstScalar} ulps off");
        Assert.True(worstVector <= 2, $"vector erf is {worstVector} ulps off");
    }

    [Fact]
    public void SpecialValues()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 100f, -100f];
        foreach (var y in new[] { x.Select(Erf.Scalar).ToArray(), ComputeVector(x) })
        {
            Assert.True(float.IsNaN(y[0]));
            Assert.Equal(1f, y[1]);
            Assert.Equal(-1f, y[2]);
            Assert.Equal(0f, y[3]);
            Assert.True(float.IsNegative(y[4]) && y[4] == 0f);
            Assert.Equal(1f, y[5]);
            Assert.Equal(-1f, y[6]);
        }
    }

    private static float[] ComputeVector(float[] x)
    {
        // Pad to a full vector so the 16-lane path is the one tested.
        var padded = new float[16];
        x.CopyTo(padded, 0);
        var y = new float[16];
        Erf.Compute(padded, y);
        return y[..x.Length];
    }

    [Fact]
    public void VectorMatchesScalarForEveryLength()
    {
        for (int n = 0; n <= 256; n++)
        {
            var x = new float[n];
            new Generator((ulong)n).FillUniform(x, -7f, 7f);
            var y = new float[n];
            Erf.Compute(x, y);
            for (int i = 0; i < n; i++)
                Assert.True(Ulps(Erf.Scalar(x[i]), y[i]) <= 2, $"n={n} i={i}: erf({x[i]}) scalar {Erf.Scalar(x[i])} vector {y[i]}");
        }
    }

    [Fact]
    public void ShortDestinationThrows() =>
        Assert.Throws<ArgumentException>(() => Erf.Compute(new float[5], new float[4]));
}
