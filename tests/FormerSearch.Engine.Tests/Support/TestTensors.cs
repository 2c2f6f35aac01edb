using FormerSearch.Engine;

namespace FormerSearch.Engine.Tests.Support;

/// <summary>Seeded random inputs for tests.</summary>
public static class TestTensors
{
    /// <summary>Uniform values in [-1, 1), reproducible from <paramref name="seed"/>, requiring a gradient if asked.</summary>
    public static Tensor Uniform(int seed, bool requiresGrad, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        new Generator((ulong)seed).FillUniform(t.AsSpan(), -1f, 1f);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    /// <summary>Uniform values in [-1, 1) that do not require a gradient.</summary>
    public static Tensor Uniform(int seed, params int[] shape) => Uniform(seed, false, shape);

    /// <summary>Largest absolute difference, relative to the larger of 1 and the largest magnitude.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what = "values")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double err = Math.Abs(e - a) / Math.Max(1.0, Math.Abs(e));
            if (!(err <= tolerance))
                Assert.Fail($"{what}[{i}]: expected {e:G9}, got {a:G9} (relative error {err:G3} > {tolerance:G3}).");
        }
    }
}
