using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Kernels.Simd;

/// <summary>
/// The operations of one vector width (<see cref="Simd128"/>, <see cref="Simd256"/>, <see cref="Simd512"/>, and
/// <see cref="Simd32"/>, a single float, for scalar tails) as static members, so that a kernel's vector body is
/// written once, generic over the width, and the JIT specialises it into plain <c>Vector128</c>/<c>Vector256</c>/
/// <c>Vector512</c> or scalar code (each member inlines to the one instruction it names). Every operation is the same
/// IEEE operation on every lane at every width, so a body gives the same bits at each width.
/// </summary>
/// <typeparam name="TVector">The vector of floats this width works on.</typeparam>
internal interface ISimd<TVector> where TVector : struct
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes 0.</summary>
    static abstract TVector Zero { get; }

    /// <summary>All lanes 1.</summary>
    static abstract TVector One { get; }

    /// <summary>All lanes <paramref name="value"/>.</summary>
    static abstract TVector Create(float value);

    /// <summary>The <see cref="Count"/> floats from <c>source[index]</c> on, unchecked.</summary>
    static abstract TVector Load(ref float source, nuint index);

    /// <summary>Writes the lanes to <c>destination[index]</c> on, unchecked.</summary>
    static abstract void Store(TVector value, ref float destination, nuint index);

    /// <summary><c>x + y</c>.</summary>
    static abstract TVector Add(TVector x, TVector y);

    /// <summary><c>x − y</c>.</summary>
    static abstract TVector Subtract(TVector x, TVector y);

    /// <summary><c>x · y</c>.</summary>
    static abstract TVector Multiply(TVector x, TVector y);

    /// <summary><c>x / y</c>.</summary>
    static abstract TVector Divide(TVector x, TVector y);

    /// <summary><c>−x</c>.</summary>
    static abstract TVector Negate(TVector x);

    /// <summary><c>a · b + c</c> rounded once.</summary>
    static abstract TVector FusedMultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary><c>√x</c>, correctly rounded.</summary>
    static abstract TVector Sqrt(TVector x);

    /// <summary><c>|x|</c>.</summary>
    static abstract TVector Abs(TVector x);

    /// <summary>
    /// <paramref name="x"/> limited to <c>[low, high]</c> lane by lane; a NaN lane stays NaN. Vectors use the CPU's own
    /// min and max (<c>MinNative</c>, <c>MaxNative</c>, the operands ordered so that x86 returns the NaN): .NET's IEEE
    /// <c>Min</c> and <c>Max</c> add a range-and-fix-up sequence each for NaN and signed zeros, which made up a fifth of
    /// GELU's instructions.
    /// </summary>
    static abstract TVector Clamp(TVector x, TVector low, TVector high);

    /// <summary>Per bit, <paramref name="whenTrue"/> where <paramref name="mask"/> is set, else <paramref name="whenFalse"/>.</summary>
    static abstract TVector ConditionalSelect(TVector mask, TVector whenTrue, TVector whenFalse);

    /// <summary>All-ones lanes where <c>x &lt; y</c> (false for NaN).</summary>
    static abstract TVector LessThan(TVector x, TVector y);

    /// <summary>All-ones lanes where <c>x &gt; y</c> (false for NaN).</summary>
    static abstract TVector GreaterThan(TVector x, TVector y);

    /// <summary>All-ones lanes where <c>x ≥ y</c> (false for NaN).</summary>
    static abstract TVector GreaterThanOrEqual(TVector x, TVector y);

    /// <summary>All-ones lanes where <c>x == y</c> (false for NaN, so <c>CompareEqual(x, x)</c> marks the numbers).</summary>
    static abstract TVector CompareEqual(TVector x, TVector y);

    /// <summary>Bitwise and.</summary>
    static abstract TVector And(TVector x, TVector y);

    /// <summary>Bitwise or.</summary>
    static abstract TVector Or(TVector x, TVector y);

    /// <summary>The sum of the lanes (in the width's own order of additions).</summary>
    static abstract float Sum(TVector x);

    /// <summary>True when <c>x &lt; y</c> in every lane.</summary>
    static abstract bool LessThanAll(TVector x, TVector y);

    /// <summary>
    /// <c>2^n</c> per lane, where <paramref name="rounded"/> holds <c>n + magic</c> rounded to an integer in its low
    /// mantissa bits (<paramref name="magicBits"/> are the bits of <c>magic</c>): the exponent field built from the integer.
    /// </summary>
    static abstract TVector PowerOfTwo(TVector rounded, int magicBits);

    /// <summary>The operator's form at this width.</summary>
    static abstract TVector Invoke<TOperator>(TVector x, TVector y) where TOperator : IBinaryOperator;
}
