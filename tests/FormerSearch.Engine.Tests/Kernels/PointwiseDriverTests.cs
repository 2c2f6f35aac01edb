using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Simd;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>
/// The one element-wise driver at each vector width (4, 8 and 16 lanes, run directly so every width is covered on
/// any machine) against the operators' scalar forms, bit for bit: every length 0..256 (every vector tail), both
/// store modes, run and scalar operands, in place, with NaN and infinities among seeded random inputs.
/// </summary>
public sealed class PointwiseDriverTests
{
    private const int MaxLength = 256;

    private static float[] Inputs(ulong seed, int n)
    {
        var x = new float[n];
        new Generator(seed).FillUniform(x, -9f, 9f);
        // Special values inside the vector part and in the tail.
        if (n > 3) x[3] = float.NaN;
        if (n > 21) x[21] = float.PositiveInfinity;
        if (n > 40) x[40] = float.NegativeInfinity;
        if (n > 0) x[n - 1] = n % 2 == 0 ? float.NaN : 0f;
        return x;
    }

    private static void AssertBits(float expected, float actual, string what)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual)
            && !(float.IsNaN(expected) && float.IsNaN(actual)))
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R}");
    }

    /// <summary>Every length, both store modes, into a separate destination and in place over x.</summary>
    private static void CheckDense<TOp, TVector, TSimd>(string what)
        where TOp : IBinaryOperator where TVector : struct where TSimd : ISimd<TVector>
    {
        for (int n = 0; n <= MaxLength; n++)
        {
            var x = Inputs((ulong)n + 1, n);
            var y = Inputs((ulong)n + 1000, n);
            var start = Inputs((ulong)n + 5000, n);
            foreach (bool accumulate in new[] { false, true })
            {
                var dst = (float[])start.Clone();
                Pointwise.RunAt<TOp, TVector, TSimd>(x, y, dst, accumulate);
                var inPlace = (float[])x.Clone();
                Pointwise.RunAt<TOp, TVector, TSimd>(inPlace, y, inPlace, accumulate);
                for (int i = 0; i < n; i++)
                {
                    float v = TOp.Invoke(x[i], y[i]);
                    AssertBits(accumulate ? start[i] + v : v, dst[i], $"{what} {TSimd.Count} lanes n={n} i={i} accumulate={accumulate}");
                    AssertBits(accumulate ? x[i] + v : v, inPlace[i], $"{what} {TSimd.Count} lanes in place n={n} i={i}");
                }
            }
        }
    }

    /// <summary>One input a repeated value (a broadcast scalar), on either side.</summary>
    private static void CheckScalarOperand<TOp, TVector, TSimd>(string what)
        where TOp : IBinaryOperator where TVector : struct where TSimd : ISimd<TVector>
    {
        foreach (float s in new[] { 0.75f, -3f, float.NaN })
        {
            for (int n = 0; n <= MaxLength; n++)
            {
                var x = Inputs((ulong)n + 7, n);
                var left = new float[n];
                var right = new float[n];
                float scalar = s;
                ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
                Pointwise.RunAt<TOp, ScalarOperand, DenseOperand, TVector, TSimd>(ref scalar, ref xr, ref MemoryMarshal.GetArrayDataReference(left), n, accumulate: false);
                Pointwise.RunAt<TOp, DenseOperand, ScalarOperand, TVector, TSimd>(ref xr, ref scalar, ref MemoryMarshal.GetArrayDataReference(right), n, accumulate: false);
                for (int i = 0; i < n; i++)
                {
                    AssertBits(TOp.Invoke(s, x[i]), left[i], $"{what} {TSimd.Count} lanes scalar∘x n={n} i={i}");
                    AssertBits(TOp.Invoke(x[i], s), right[i], $"{what} {TSimd.Count} lanes x∘scalar n={n} i={i}");
                }
            }
        }
    }

    /// <summary>Runs <see cref="CheckDense"/> at each of the three widths.</summary>
    private readonly struct EveryWidth : ElementwiseOperators.ICheck
    {
        public void Run<TOp>(string name) where TOp : IBinaryOperator
        {
            CheckDense<TOp, Vector128<float>, Simd128>(name);
            CheckDense<TOp, Vector256<float>, Simd256>(name);
            CheckDense<TOp, Vector512<float>, Simd512>(name);
        }
    }

    [Fact]
    public void ActivationOperatorsMatchTheirScalarFormAtEveryWidthAndLength() => ElementwiseOperators.ForEachActivation(new EveryWidth());

    [Fact]
    public void BinaryOperatorsMatchTheirScalarFormAtEveryWidthAndLength() => ElementwiseOperators.ForEachArithmetic(new EveryWidth());

    [Fact]
    public void ScalarOperandsOnEitherSideMatchAtEveryWidth()
    {
        foreach (var check in new ElementwiseOperators.ICheck[] { new ScalarOperands<Vector128<float>, Simd128>(), new ScalarOperands<Vector256<float>, Simd256>(), new ScalarOperands<Vector512<float>, Simd512>() })
            ElementwiseOperators.ForEachArithmetic(check);
    }

    private readonly struct ScalarOperands<TVector, TSimd> : ElementwiseOperators.ICheck where TVector : struct where TSimd : ISimd<TVector>
    {
        public void Run<TOp>(string name) where TOp : IBinaryOperator => CheckScalarOperand<TOp, TVector, TSimd>(name);
    }

    [Fact]
    public void TheHardwareDriverMatchesTheScalarForm()
    {
        // Whatever width this machine (or DOTNET_EnableAVX512/AVX2=0) gives the dispatching entry point.
        var x = Inputs(3, 203);
        var g = Inputs(4, 203);
        var dx = new float[203];
        Pointwise.Run<ActivationOperators.GeluBackward>(x, g, dx, accumulate: false);
        for (int i = 0; i < x.Length; i++) AssertBits(ActivationOperators.GeluBackward.Invoke(x[i], g[i]), dx[i], $"GeluBackward i={i}");
    }

    [Fact]
    public void ShortInputsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Pointwise.Run<BinaryOperators.Add>(new float[4], new float[5], new float[5], accumulate: false));
        Assert.Throws<ArgumentException>(() => Pointwise.Run<BinaryOperators.Add>(new float[5], new float[4], new float[5], accumulate: false));
        Assert.Throws<ArgumentException>(() => Pointwise.RunAt<BinaryOperators.Add, Vector128<float>, Simd128>(new float[3], new float[5], new float[5], accumulate: false));
    }
}
