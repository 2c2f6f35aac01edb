using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FormerSearch.Engine;

/// <summary>
/// A run of floats inside an array: the array, where the run starts and how many elements it has. Kernels take
/// each tensor they read or write as one named slice (<c>x</c>, <c>dy</c>, <c>mean</c>) instead of an array and an
/// offset passed separately, so an array cannot travel with another tensor's offset, and a kernel can check that
/// what it touches lies inside the run. Unlike a <see cref="Span{T}"/> it may be stored in the struct a parallel
/// loop hands to its threads. Bounds are checked once, when the slice is made; reading it costs what reading the
/// array does.
/// </summary>
internal readonly struct FloatSlice
{
    /// <summary>The array holding the run.</summary>
    public readonly float[] Array;

    /// <summary>The index in <see cref="Array"/> of the run's first element.</summary>
    public readonly int Offset;

    /// <summary>The number of elements in the run.</summary>
    public readonly int Length;

    /// <summary>Elements <c>[offset, offset + length)</c> of <paramref name="array"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The run does not lie inside the array.</exception>
    public FloatSlice(float[] array, int offset, int length)
    {
        if ((uint)offset > (uint)array.Length || (uint)length > (uint)(array.Length - offset))
            throw new ArgumentOutOfRangeException(nameof(length), $"Elements [{offset}, {offset + length}) are outside an array of {array.Length}.");
        Array = array;
        Offset = offset;
        Length = length;
    }

    /// <summary>The whole array.</summary>
    public static implicit operator FloatSlice(float[] array) => new(array, 0, array.Length);

    /// <summary>The run as a span.</summary>
    public static implicit operator Span<float>(FloatSlice slice) => slice.AsSpan();

    /// <summary>The run as a read-only span.</summary>
    public static implicit operator ReadOnlySpan<float>(FloatSlice slice) => slice.AsSpan();

    /// <summary>The run as a span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<float> AsSpan() => MemoryMarshal.CreateSpan(ref Start, Length);

    /// <summary>The first element (where the run would start, when it is empty), for unchecked vector loops.</summary>
    public ref float Start
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Array), Offset);
    }

    /// <summary>Element <paramref name="index"/> of the run.</summary>
    /// <exception cref="IndexOutOfRangeException">The index is outside the run.</exception>
    public ref float this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)Length) ThrowIndex(index);
            return ref Unsafe.Add(ref Start, index);
        }
    }

    /// <summary>Elements <c>[start, start + length)</c> of the run, as a slice.</summary>
    /// <exception cref="ArgumentOutOfRangeException">They are not all inside the run.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FloatSlice Slice(int start, int length)
    {
        if ((uint)start > (uint)Length || (uint)length > (uint)(Length - start)) ThrowRange(start, length);
        return new FloatSlice(Array, Offset + start, length, @unchecked: true);
    }

    /// <summary>The run from element <paramref name="start"/> on.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is past the end.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FloatSlice Slice(int start) => Slice(start, Length - start);

    /// <summary>Elements <c>[start, start + length)</c> of the run, as a span.</summary>
    /// <exception cref="ArgumentOutOfRangeException">They are not all inside the run.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<float> AsSpan(int start, int length) => Slice(start, length).AsSpan();

    /// <summary>Row <paramref name="row"/> of the run read as dense rows of <paramref name="width"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<float> Row(int row, int width) => AsSpan(row * width, width);

    /// <summary>Throws unless the run holds at least <paramref name="count"/> elements (a kernel's entry check).</summary>
    /// <exception cref="ArgumentException">It holds fewer.</exception>
    public void Require(long count, string name)
    {
        if (Length < count) throw new ArgumentException($"Kernel argument '{name}' has {Length} elements; {count} are needed.", name);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FloatSlice(float[] array, int offset, int length, bool @unchecked)
    {
        _ = @unchecked;
        Array = array;
        Offset = offset;
        Length = length;
    }

    private void ThrowIndex(int index) => throw new IndexOutOfRangeException($"Index {index} is outside a slice of {Length}.");

    private void ThrowRange(int start, int length) =>
        throw new ArgumentOutOfRangeException(nameof(start), $"Elements [{start}, {start + length}) are outside a slice of {Length}.");
}
