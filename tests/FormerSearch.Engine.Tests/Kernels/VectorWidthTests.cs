using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>
/// The four-lane (SSE, Arm64 Neon) and eight-lane (AVX2) forms of the element-wise building blocks, called
/// directly so they are checked on any machine (the drivers only take them when the wider widths are off): each
/// lane must give the bits of the sixteen-lane form and of the scalar form, since all of them perform the same
/// IEEE operations.
/// </summary>
public sealed class VectorWidthTests
{
    /// <summary>Inputs covering every piece of erf/exp (small, tail, saturated, underflow) and the special values.</summary>
    private static float[] Inputs()
    {
        var list = new List<float> { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 6f, -6f, 100f, -100f, -87.5f, 88.5f };
        for (float x = -12f; x < 12f; x += 0.00937f) list.Add(x);
        // Pad to whole 16-lane vectors so both widths see the same lanes.
        while (list.Count % 16 != 0) list.Add(0.25f);
        return [.. list];
    }

    private static void AssertSameBits(float expected, float actual, string what, float x)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
            Assert.Fail($"{what}({x:R}): expected {expected:R}, got {actual:R}");
    }

    private delegate Vector512<float> Wide(Vector512<float> x);
    private delegate Vector256<float> Narrow(Vector256<float> x);
    private delegate Vector128<float> Narrowest(Vector128<float> x);

    private static void CheckUnary(string what, Func<float, float> scalar, Wide wide, Narrow narrow, Narrowest narrowest)
    {
        var x = Inputs();
        for (int i = 0; i < x.Length; i += 16)
        {
            var w = wide(Vector512.Create(x.AsSpan(i, 16)));
            for (int l = 0; l < 16; l++)
            {
                float n = narrow(Vector256.Create(x.AsSpan(i + l / 8 * 8, 8)))[l % 8];
                float q = narrowest(Vector128.Create(x.AsSpan(i + l / 4 * 4, 4)))[l % 4];
                AssertSameBits(w[l], n, what + " (256 vs 512)", x[i + l]);
                AssertSameBits(scalar(x[i + l]), n, what + " (256 vs scalar)", x[i + l]);
                AssertSameBits(w[l], q, what + " (128 vs 512)", x[i + l]);
                AssertSameBits(scalar(x[i + l]), q, what + " (128 vs scalar)", x[i + l]);
            }
        }
    }

    [Fact]
    public void FastExpMatches() => CheckUnary("exp", FastExp.Scalar, FastExp.Vector, FastExp.Vector, FastExp.Vector);

    [Fact]
    public void ErfMatches() => CheckUnary("erf", Erf.Scalar, Erf.Vector, Erf.Vector, Erf.Vector);

    [Fact]
    public void NormalCdfMatches() =>
        CheckUnary("Phi", ActivationOperators.NormalCdf, ActivationOperators.NormalCdf, ActivationOperators.NormalCdf, ActivationOperators.NormalCdf);

    private static void CheckOperator<TOp>(string what) where TOp : IBinaryOperator
    {
        var x = Inputs();
        var g = new float[x.Length];
        for (int i = 0; i < g.Length; i++) g[i] = 0.37f - 0.013f * (i % 97);
        for (int i = 0; i < x.Length; i += 16)
        {
            var w = TOp.Invoke(Vector512.Create(x.AsSpan(i, 16)), Vector512.Create(g.AsSpan(i, 16)));
            for (int l = 0; l < 16; l++)
            {
                int at8 = i + l / 8 * 8, at4 = i + l / 4 * 4;
                float n = TOp.Invoke(Vector256.Create(x.AsSpan(at8, 8)), Vector256.Create(g.AsSpan(at8, 8)))[l % 8];
                float q = TOp.Invoke(Vector128.Create(x.AsSpan(at4, 4)), Vector128.Create(g.AsSpan(at4, 4)))[l % 4];
                AssertSameBits(w[l], n, what + " (256 vs 512)", x[i + l]);
                AssertSameBits(TOp.Invoke(x[i + l], g[i + l]), n, what + " (256 vs scalar)", x[i + l]);
                AssertSameBits(w[l], q, what + " (128 vs 512)", x[i + l]);
                AssertSameBits(TOp.Invoke(x[i + l], g[i + l]), q, what + " (128 vs scalar)", x[i + l]);
            }
        }
    }

    [Fact]
    public void ActivationOperatorsMatch() => ElementwiseOperators.ForEachActivation(new OperatorCheck());

    private readonly struct OperatorCheck : ElementwiseOperators.ICheck
    {
        public void Run<TOp>(string name) where TOp : IBinaryOperator => CheckOperator<TOp>(name);
    }

    private static void CheckBinary<TOp>(string what) where TOp : IBinaryOperator
    {
        var x = Inputs();
        var y = new float[x.Length];
        for (int i = 0; i < y.Length; i++) y[i] = 1.7f - 0.031f * (i % 113);
        for (int i = 0; i < x.Length; i += 8)
        {
            var n = TOp.Invoke(Vector256.Create(x.AsSpan(i, 8)), Vector256.Create(y.AsSpan(i, 8)));
            for (int l = 0; l < 8; l++) AssertSameBits(TOp.Invoke(x[i + l], y[i + l]), n[l], what, x[i + l]);
            var q = TOp.Invoke(Vector128.Create(x.AsSpan(i + 4, 4)), Vector128.Create(y.AsSpan(i + 4, 4)));
            for (int l = 0; l < 4; l++) AssertSameBits(TOp.Invoke(x[i + 4 + l], y[i + 4 + l]), q[l], what + " (128)", x[i + 4 + l]);
        }
    }

    [Fact]
    public void BinaryOperatorsMatch() => ElementwiseOperators.ForEachArithmetic(new BinaryCheck());

    private readonly struct BinaryCheck : ElementwiseOperators.ICheck
    {
        public void Run<TOp>(string name) where TOp : IBinaryOperator => CheckBinary<TOp>(name);
    }
}
