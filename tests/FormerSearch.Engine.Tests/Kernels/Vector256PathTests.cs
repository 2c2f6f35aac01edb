using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>
/// The eight-lane (AVX2) forms of the pointwise building blocks, called directly so they are checked
/// on any machine (the drivers only take them when AVX-512 is off): each lane must give the bits of
/// the sixteen-lane form and of the scalar form, since all three perform the same IEEE operations.
/// </summary>
public sealed class Vector256PathTests
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

    private static void CheckUnary(string what, Func<float, float> scalar, Wide wide, Narrow narrow)
    {
        var x = Inputs();
        for (int i = 0; i < x.Length; i += 16)
        {
            var w = wide(Vector512.Create(x.AsSpan(i, 16)));
            var lo = narrow(Vector256.Create(x.AsSpan(i, 8)));
            var hi = narrow(Vector256.Create(x.AsSpan(i + 8, 8)));
            for (int l = 0; l < 16; l++)
            {
                float n = l < 8 ? lo[l] : hi[l - 8];
                AssertSameBits(w[l], n, what + " (256 vs 512)", x[i + l]);
                AssertSameBits(scalar(x[i + l]), n, what + " (256 vs scalar)", x[i + l]);
            }
        }
    }

    [Fact]
    public void FastExpMatches() => CheckUnary("exp", FastExp.Scalar, FastExp.Vector, FastExp.Vector);

    [Fact]
    public void ErfMatches() => CheckUnary("erf", Erf.Scalar, Erf.Vector, Erf.Vector);

    [Fact]
    public void NormalCdfMatches() =>
        CheckUnary("Phi", ActivationOperators.NormalCdf, ActivationOperators.NormalCdf, ActivationOperators.NormalCdf);

    private static void CheckOperator<TOp>(string what) where TOp : IPointwiseOperator
    {
        var x = Inputs();
        var g = new float[x.Length];
        for (int i = 0; i < g.Length; i++) g[i] = 0.37f - 0.013f * (i % 97);
        for (int i = 0; i < x.Length; i += 16)
        {
            var w = TOp.Invoke(Vector512.Create(x.AsSpan(i, 16)), Vector512.Create(g.AsSpan(i, 16)));
            var lo = TOp.Invoke(Vector256.Create(x.AsSpan(i, 8)), Vector256.Create(g.AsSpan(i, 8)));
            var hi = TOp.Invoke(Vector256.Create(x.AsSpan(i + 8, 8)), Vector256.Create(g.AsSpan(i + 8, 8)));
            for (int l = 0; l < 16; l++)
            {
                float n = l < 8 ? lo[l] : hi[l - 8];
                AssertSameBits(w[l], n, what + " (256 vs 512)", x[i + l]);
                AssertSameBits(TOp.Invoke(x[i + l], g[i + l]), n, what + " (256 vs scalar)", x[i + l]);
            }
        }
    }

    [Fact]
    public void ActivationOperatorsMatch()
    {
        CheckOperator<ActivationOperators.GeluForward>("GeluForward");
        CheckOperator<ActivationOperators.GeluBackward>("GeluBackward");
        CheckOperator<ActivationOperators.SiluForward>("SiluForward");
        CheckOperator<ActivationOperators.SiluBackward>("SiluBackward");
        CheckOperator<ActivationOperators.ReluBackward>("ReluBackward");
        CheckOperator<ActivationOperators.Relu6Backward>("Relu6Backward");
        CheckOperator<ActivationOperators.SigmoidBackward>("SigmoidBackward");
        CheckOperator<ActivationOperators.TanhBackward>("TanhBackward");
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
        }
    }

    [Fact]
    public void BinaryOperatorsMatch()
    {
        CheckBinary<BinaryOperators.Add>("Add");
        CheckBinary<BinaryOperators.Subtract>("Subtract");
        CheckBinary<BinaryOperators.Multiply>("Multiply");
        CheckBinary<BinaryOperators.Divide>("Divide");
    }
}
