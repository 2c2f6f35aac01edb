using FormerSearch.Engine.Kernels.Activations;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>A dense sweep of erf against a float64 series, beyond the golden file's points.</summary>
public sealed class ErfSweepTests
{
    /// <summary>erf by its Maclaurin series in float64 (|x| ≤ 4.5: the largest term is ~e^(x²), so ~1e-8 absolute, far below a float ulp near 1).</summary>
    private static double SeriesErf(double x)
    {
        double sum = 0, term = x; // term = (−1)^n x^(2n+1) / n!
        for (int n = 0; n < 400; n++)
        {
            double t = term / (2 * n + 1);
            sum += t;
            if (Math.Abs(t) < 1e-17 * Math.Abs(sum)) break;
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    private static long Ulps(float a, float b)
    {
        if (a == b) return 0;
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return Math.Abs((long)ia - ib);
    }

    [Fact]
    public void DenseSweepIsWithinTwoUlps()
    {
        // Both sides of every piece boundary (0.921875, 3.9375) and tiny arguments.
        var xs = new List<float>();
        for (float x = 0f; x <= 4.5f; x += 1.37e-4f) xs.Add(x);
        for (double x = 1e-8; x < 1; x *= 1.01) xs.Add((float)x);
        var input = xs.SelectMany(v => new[] { v, -v }).ToArray();
        var vector = new float[input.Length];
        Erf.Compute(input, vector);
        long worstScalar = 0, worstVector = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float expected = (float)SeriesErf(input[i]);
            worstScalar = Math.Max(worstScalar, Ulps(expected, Erf.Scalar(input[i])));
            worstVector = Math.Max(worstVector, Ulps(expected, vector[i]));
        }
        Assert.True(worstScalar <= 2, $"scalar erf is {worstScalar} ulps off");
        Assert.True(worstVector <= 2, $"vector erf is {worstVector} ulps off");
    }
}
