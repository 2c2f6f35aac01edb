using System.Runtime.CompilerServices;
using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Kernels.Simd;

/// <summary>
/// The 32-bit width: one float, so that a kernel's generic vector body also serves as its scalar tail (same
/// operations, lane by lane). Masks are all-ones or all-zeros bit patterns, as a vector lane's are.
/// </summary>
internal readonly struct Simd32 : ISimd<float>
{
    private static readonly float s_allBitsSet = BitConverter.Int32BitsToSingle(-1);

    public static int Count => 1;
    public static float Zero => 0f;
    public static float One => 1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Create(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, nuint index) => Unsafe.Add(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination, nuint index) => Unsafe.Add(ref destination, index) = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float x, float y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float x, float y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float x, float y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float x, float y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Negate(float x) => -x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FusedMultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sqrt(float x) => MathF.Sqrt(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Abs(float x) => MathF.Abs(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float x, float low, float high) => MathF.Min(high, MathF.Max(low, x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ConditionalSelect(float mask, float whenTrue, float whenFalse)
    {
        int m = BitConverter.SingleToInt32Bits(mask);
        return BitConverter.Int32BitsToSingle((m & BitConverter.SingleToInt32Bits(whenTrue)) | (~m & BitConverter.SingleToInt32Bits(whenFalse)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LessThan(float x, float y) => x < y ? s_allBitsSet : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GreaterThan(float x, float y) => x > y ? s_allBitsSet : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GreaterThanOrEqual(float x, float y) => x >= y ? s_allBitsSet : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float CompareEqual(float x, float y) => x == y ? s_allBitsSet : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float And(float x, float y) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) & BitConverter.SingleToInt32Bits(y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Or(float x, float y) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) | BitConverter.SingleToInt32Bits(y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float x) => x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LessThanAll(float x, float y) => x < y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float PowerOfTwo(float rounded, int magicBits) =>
        BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(rounded) - magicBits + 127) << 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke<TOperator>(float x, float y) where TOperator : IBinaryOperator => TOperator.Invoke(x, y);
}
