using System.Runtime.Intrinsics;
using FormerSearch.Engine;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Optim;

namespace FormerSearch.Engine.Tests.Optim;

/// <summary>The vectorised update kernels against their scalar references, for every length 0..256 (all vector tails): bit-identical.</summary>
public sealed class OptimizerKernelTests
{
    private static float[] Random(int seed, int n, float scale = 1)
    {
        var a = new float[n];
        new Generator((ulong)seed).FillNormal(a, 0, scale);
        return a;
    }

    private delegate void AdamWUpdate(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamWKernel.Coefficients c);

    private delegate void SgdUpdate(Span<float> p, ReadOnlySpan<float> g, Span<float> b, in SgdKernel.Coefficients c);

    [Fact]
    public void AdamW_kernel_equals_reference_for_every_length() => CheckAdamW(AdamWKernel.Update);

    /// <summary>Each width's loop with its scalar tail (the machine runs only its widest), against the same reference.</summary>
    [Fact]
    public void AdamW_kernel_equals_reference_at_every_width()
    {
        CheckAdamW(AdamWKernel.UpdateAt<Vector128<float>, Simd128>);
        CheckAdamW(AdamWKernel.UpdateAt<Vector256<float>, Simd256>);
        CheckAdamW(AdamWKernel.UpdateAt<Vector512<float>, Simd512>);
    }

    private static void CheckAdamW(AdamWUpdate update)
    {
        var c = new AdamWKernel.Coefficients(0.9995f, 0.9f, 0.1f, 0.999f, 0.001f, 0.0447f, 1e-8f, -0.01f);
        for (int n = 0; n <= 256; n++)
        {
            var g = Random(n + 1, n);
            var p1 = Random(n + 2, n);
            var m1 = Random(n + 3, n, 0.1f);
            var v1 = Random(n + 4, n, 0.1f);
            for (int i = 0; i < n; i++) v1[i] = MathF.Abs(v1[i]);
            var (p2, m2, v2) = ((float[])p1.Clone(), (float[])m1.Clone(), (float[])v1.Clone());
            update(p1, g, m1, v1, c);
            AdamWKernel.Reference(p2, g, m2, v2, c);
            Assert.Equal(p2, p1);
            Assert.Equal(m2, m1);
            Assert.Equal(v2, v1);
        }
    }

    [Theory]
    [InlineData(0f, 0f, false, false)]
    [InlineData(0.9f, 1e-4f, false, true)]
    [InlineData(0.9f, 1e-4f, false, false)]
    [InlineData(0.9f, 0f, true, false)]
    public void Sgd_kernel_equals_reference_for_every_length(float momentum, float weightDecay, bool nesterov, bool first) =>
        CheckSgd(SgdKernel.Update, new SgdKernel.Coefficients(-0.1f, weightDecay, momentum, 0.7f, nesterov, first));

    /// <summary>Each width's loop with its scalar tail, against the same reference.</summary>
    [Theory]
    [InlineData(0f, 0f, false, false)]
    [InlineData(0.9f, 1e-4f, false, true)]
    [InlineData(0.9f, 1e-4f, false, false)]
    [InlineData(0.9f, 0f, true, false)]
    public void Sgd_kernel_equals_reference_at_every_width(float momentum, float weightDecay, bool nesterov, bool first)
    {
        var c = new SgdKernel.Coefficients(-0.1f, weightDecay, momentum, 0.7f, nesterov, first);
        CheckSgd(SgdKernel.UpdateAt<Vector128<float>, Simd128>, c);
        CheckSgd(SgdKernel.UpdateAt<Vector256<float>, Simd256>, c);
        CheckSgd(SgdKernel.UpdateAt<Vector512<float>, Simd512>, c);
    }

    private static void CheckSgd(SgdUpdate update, SgdKernel.Coefficients c)
    {
        for (int n = 0; n <= 256; n++)
        {
            var g = Random(n + 1, n);
            var p1 = Random(n + 2, n);
            var b1 = c.Momentum != 0 ? Random(n + 3, n) : [];
            var (p2, b2) = ((float[])p1.Clone(), (float[])b1.Clone());
            update(p1, g, b1, c);
            SgdKernel.Reference(p2, g, b2, c);
            Assert.Equal(p2, p1);
            Assert.Equal(b2, b1);
        }
    }

    [Fact]
    public void Sum_of_squares_matches_reference_for_every_length()
    {
        for (int n = 0; n <= 256; n++)
        {
            var x = Random(n, n);
            double fast = GradNormKernel.SumOfSquares(x), slow = GradNormKernel.SumOfSquaresReference(x);
            Assert.True(Math.Abs(fast - slow) <= 1e-12 * Math.Max(1, slow), $"n={n}: {fast} vs {slow}");
        }
    }
}
