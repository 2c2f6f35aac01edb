using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Activations;

/// <summary>
/// <c>e^x</c> in float32 to about one ulp, for the exponentials inside erf and the Gaussian density.
/// Cephes' <c>expf</c> scheme: <c>x = n·ln2 + r</c> with <c>|r| ≤ ln2/2</c> (Cody–Waite split of ln2),
/// a degree-7 polynomial for <c>e^r</c>, and <c>2^n</c> built in the exponent bits. It stays in float32
/// (the runtime's <c>Vector512.Exp</c> widens to double, about three times the cost). Below −87 the
/// result is 0 (so <c>e^−∞ = 0</c>, as a masked softmax needs), above 88 it saturates at <c>e^88</c>
/// (callers never go there), and NaN stays NaN. The scalar form performs the same operations, so both
/// give the same bits.
/// </summary>
internal static class FastExp
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float Lo = -87f, Hi = 88f;
    // 1.5·2^23: adding it rounds to an integer held in the low mantissa bits.
    private const float RoundMagic = 12582912f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /// <summary><c>e^x</c>: 0 below −87, <c>e^88</c> above 88, NaN for NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(float x)
    {
        if (x < Lo) return 0f;
        x = MathF.Min(x, Hi);
        float t = MathF.FusedMultiplyAdd(x, Log2E, RoundMagic);
        float n = t - RoundMagic;
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        p = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        int bits = BitConverter.SingleToInt32Bits(t) - BitConverter.SingleToInt32Bits(RoundMagic);
        return p * BitConverter.Int32BitsToSingle((bits + 127) << 23);
    }

    /// <summary>The sixteen-lane form of <see cref="Scalar"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Vector(Vector512<float> x)
    {
        var underflow = Vector512.LessThan(x, Vector512.Create(Lo));
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(Lo)), Vector512.Create(Hi));
        var t = Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(RoundMagic));
        var n = t - Vector512.Create(RoundMagic);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var bits = t.AsInt32() - Vector512.Create(BitConverter.SingleToInt32Bits(RoundMagic));
        return Vector512.ConditionalSelect(underflow, Vector512<float>.Zero, p * Vector512.ShiftLeft(bits + Vector512.Create(127), 23).AsSingle());
    }

    /// <summary>The eight-lane (AVX2) form of <see cref="Scalar"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Vector(Vector256<float> x)
    {
        var underflow = Vector256.LessThan(x, Vector256.Create(Lo));
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(Lo)), Vector256.Create(Hi));
        var t = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
        var n = t - Vector256.Create(RoundMagic);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var bits = t.AsInt32() - Vector256.Create(BitConverter.SingleToInt32Bits(RoundMagic));
        return Vector256.ConditionalSelect(underflow, Vector256<float>.Zero, p * Vector256.ShiftLeft(bits + Vector256.Create(127), 23).AsSingle());
    }
}
