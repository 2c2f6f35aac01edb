using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// Gradients of <c>x + v</c> and <c>x · v</c> where <c>x</c> is a dense <c>[rows, C]</c> matrix and
/// <c>v</c> a <c>[C]</c> vector broadcast over the rows (a bias, a layer scale). One pass over the
/// output gradient does both: <c>dx += g</c> (or <c>g·v</c>) row by row, and <c>dv += Σ g</c> (or
/// <c>Σ g·x</c>) with 16-channel (AVX-512) or 8-channel (AVX2) blocks held in registers while a chunk's rows are walked. The column
/// sums go through <see cref="ChunkedReduction"/> (fixed chunks of rows, added in chunk order), so they
/// are bit-identical for any thread count.
/// </summary>
internal static class ChannelGradients
{
    private const int ParallelGrainElements = 1 << 15;

    /// <summary>
    /// True when a tensor of <paramref name="shape"/> broadcast to <paramref name="outShape"/> is one
    /// vector of <paramref name="channels"/> repeated over <paramref name="rows"/> rows (after dropping
    /// size-1 dimensions), with at least two rows.
    /// </summary>
    public static bool IsPerChannel(ReadOnlySpan<int> outShape, ReadOnlySpan<int> shape, out int rows, out int channels)
    {
        rows = channels = 0;
        if (shape.Length > outShape.Length) return false;
        int lead = outShape.Length - shape.Length;
        // The trailing dimensions where shape matches outShape form C; everything before must be broadcast (size 1).
        int split = outShape.Length;
        while (split > lead && shape[split - 1 - lead] == outShape[split - 1]) split--;
        for (int d = lead; d < split; d++)
            if (shape[d - lead] != 1) return false;
        int r = 1, c = 1;
        for (int d = 0; d < split; d++) r *= outShape[d];
        for (int d = split; d < outShape.Length; d++) c *= outShape[d];
        if (r < 2 || c < 1) return false;
        rows = r;
        channels = c;
        return true;
    }

    /// <summary>The gradients to accumulate into; either may be absent (that input needs none).</summary>
    /// <param name="Gx">The full-size input's gradient, dense <c>[rows, C]</c>.</param>
    /// <param name="Gv">The vector's gradient, <c>[C]</c>.</param>
    public readonly record struct Destinations(FloatSlice? Gx, FloatSlice? Gv);

    /// <summary><c>gx += g</c> and <c>gv += Σ_rows g</c>, each when its destination is given, for <c>g</c> dense <c>[rows, c]</c>.</summary>
    public static void AddBackward(FloatSlice g, int rows, int c, Destinations grads) => Backward(g, null, null, rows, c, grads);

    /// <summary>For <c>y = x · v</c>: <c>gx += g · v</c> and <c>gv += Σ_rows g · x</c>, each when its destination is given.</summary>
    public static void MulBackward(FloatSlice g, FloatSlice x, FloatSlice v, int rows, int c, Destinations grads) => Backward(g, x, v, rows, c, grads);

    private static void Backward(FloatSlice g, FloatSlice? x, FloatSlice? v, int rows, int c, Destinations grads)
    {
        if (rows == 0 || c == 0) return;
        long n = (long)rows * c;
        g.Require(n, nameof(g));
        x?.Require(n, nameof(x));
        v?.Require(c, nameof(v));
        grads.Gx?.Require(n, nameof(grads.Gx));
        if (grads.Gv is not { } gv)
        {
            if (grads.Gx is { } gx) ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / c), new ElementwiseRows(g, v, gx, c));
            return;
        }
        gv.Require(c, nameof(grads.Gv));
        float[] sums = BufferPool.Rent(c);
        try
        {
            var result = sums.AsSpan(0, c);
            ChunkedReduction.Run(rows, new Sums(g, x, v, grads.Gx, c), result);
            var dst = gv.AsSpan(0, c);
            TensorPrimitives.Add(dst, result, dst);
        }
        finally
        {
            BufferPool.Return(sums);
        }
    }

    /// <summary><c>gx += g</c> or <c>gx += g · v</c> (v per channel) over a range of rows.</summary>
    private readonly struct ElementwiseRows(FloatSlice g, FloatSlice? v, FloatSlice gx, int c) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            if (v is not { } scale)
            {
                // Rows are contiguous: one run over the whole range.
                AddRun(ref Unsafe.Add(ref g.Start, start * c), ref Unsafe.Add(ref gx.Start, start * c), (end - start) * c);
                return;
            }
            for (int r = start; r < end; r++)
                ScaleAddRow(ref Unsafe.Add(ref g.Start, r * c), ref scale.Start, ref Unsafe.Add(ref gx.Start, r * c), c);
        }
    }

    /// <summary><c>d += g</c> over a run of <paramref name="n"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRun(ref float g, ref float d, int n) =>
        Pointwise.Run<BinaryOperators.Add, DenseOperand, DenseOperand>(ref d, ref g, ref d, n, accumulate: false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleAddRow(ref float g, ref float v, ref float d, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref g, (nuint)i), Vector512.LoadUnsafe(ref v, (nuint)i), Vector512.LoadUnsafe(ref d, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref g, (nuint)i), Vector256.LoadUnsafe(ref v, (nuint)i), Vector256.LoadUnsafe(ref d, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref g, i), Unsafe.Add(ref v, i), Unsafe.Add(ref d, i));
    }

    /// <summary>
    /// A chunk of rows: column sums of <c>g</c> (or <c>g·x</c> when <c>x</c> is given) into the
    /// partial, and, when <c>gx</c> is given, <c>gx += g</c> (or <c>g·v</c>) for the same elements while
    /// they are in registers.
    /// </summary>
    private readonly struct Sums(FloatSlice g, FloatSlice? x, FloatSlice? v, FloatSlice? gx, int c) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial)
        {
            ref float gr = ref g.Start;
            ref float pr = ref MemoryMarshal.GetReference(partial);
            bool product = x.HasValue;
            bool writeGx = gx.HasValue;
            ref float xr = ref product ? ref x!.Value.Start : ref gr;
            ref float vr = ref v.HasValue ? ref v.Value.Start : ref gr;
            ref float dr = ref writeGx ? ref gx!.Value.Start : ref gr;
            int ch = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                // Four 16-channel blocks at a time, so that for C = 64 a chunk is read in one sequential sweep.
                for (; ch <= c - 64; ch += 64)
                {
                    var acc0 = Vector512.LoadUnsafe(ref pr, (nuint)ch);
                    var acc1 = Vector512.LoadUnsafe(ref pr, (nuint)(ch + 16));
                    var acc2 = Vector512.LoadUnsafe(ref pr, (nuint)(ch + 32));
                    var acc3 = Vector512.LoadUnsafe(ref pr, (nuint)(ch + 48));
                    for (int r = first; r < last; r++)
                    {
                        int at = r * c + ch;
                        acc0 = Step(ref gr, ref xr, ref vr, ref dr, at, ch, acc0, product, writeGx);
                        acc1 = Step(ref gr, ref xr, ref vr, ref dr, at + 16, ch + 16, acc1, product, writeGx);
                        acc2 = Step(ref gr, ref xr, ref vr, ref dr, at + 32, ch + 32, acc2, product, writeGx);
                        acc3 = Step(ref gr, ref xr, ref vr, ref dr, at + 48, ch + 48, acc3, product, writeGx);
                    }
                    acc0.StoreUnsafe(ref pr, (nuint)ch);
                    acc1.StoreUnsafe(ref pr, (nuint)(ch + 16));
                    acc2.StoreUnsafe(ref pr, (nuint)(ch + 32));
                    acc3.StoreUnsafe(ref pr, (nuint)(ch + 48));
                }
                for (; ch <= c - 16; ch += 16)
                {
                    var acc = Vector512.LoadUnsafe(ref pr, (nuint)ch);
                    var vv = product ? Vector512.LoadUnsafe(ref vr, (nuint)ch) : default;
                    for (int r = first; r < last; r++)
                    {
                        int at = r * c + ch;
                        var gg = Vector512.LoadUnsafe(ref gr, (nuint)at);
                        if (product)
                        {
                            acc = Vector512.FusedMultiplyAdd(gg, Vector512.LoadUnsafe(ref xr, (nuint)at), acc);
                            if (writeGx)
                                Vector512.FusedMultiplyAdd(gg, vv, Vector512.LoadUnsafe(ref dr, (nuint)at)).StoreUnsafe(ref dr, (nuint)at);
                        }
                        else
                        {
                            acc += gg;
                            if (writeGx)
                                (Vector512.LoadUnsafe(ref dr, (nuint)at) + gg).StoreUnsafe(ref dr, (nuint)at);
                        }
                    }
                    acc.StoreUnsafe(ref pr, (nuint)ch);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                // The same at eight lanes (AVX2): four 8-channel blocks, then single ones.
                for (; ch <= c - 32; ch += 32)
                {
                    var acc0 = Vector256.LoadUnsafe(ref pr, (nuint)ch);
                    var acc1 = Vector256.LoadUnsafe(ref pr, (nuint)(ch + 8));
                    var acc2 = Vector256.LoadUnsafe(ref pr, (nuint)(ch + 16));
                    var acc3 = Vector256.LoadUnsafe(ref pr, (nuint)(ch + 24));
                    for (int r = first; r < last; r++)
                    {
                        int at = r * c + ch;
                        acc0 = Step256(ref gr, ref xr, ref vr, ref dr, at, ch, acc0, product, writeGx);
                        acc1 = Step256(ref gr, ref xr, ref vr, ref dr, at + 8, ch + 8, acc1, product, writeGx);
                        acc2 = Step256(ref gr, ref xr, ref vr, ref dr, at + 16, ch + 16, acc2, product, writeGx);
                        acc3 = Step256(ref gr, ref xr, ref vr, ref dr, at + 24, ch + 24, acc3, product, writeGx);
                    }
                    acc0.StoreUnsafe(ref pr, (nuint)ch);
                    acc1.StoreUnsafe(ref pr, (nuint)(ch + 8));
                    acc2.StoreUnsafe(ref pr, (nuint)(ch + 16));
                    acc3.StoreUnsafe(ref pr, (nuint)(ch + 24));
                }
                for (; ch <= c - 8; ch += 8)
                {
                    var acc = Vector256.LoadUnsafe(ref pr, (nuint)ch);
                    var vv = product ? Vector256.LoadUnsafe(ref vr, (nuint)ch) : default;
                    for (int r = first; r < last; r++)
                    {
                        int at = r * c + ch;
                        var gg = Vector256.LoadUnsafe(ref gr, (nuint)at);
                        if (product)
                        {
                            acc = Vector256.FusedMultiplyAdd(gg, Vector256.LoadUnsafe(ref xr, (nuint)at), acc);
                            if (writeGx)
                                Vector256.FusedMultiplyAdd(gg, vv, Vector256.LoadUnsafe(ref dr, (nuint)at)).StoreUnsafe(ref dr, (nuint)at);
                        }
                        else
                        {
                            acc += gg;
                            if (writeGx)
                                (Vector256.LoadUnsafe(ref dr, (nuint)at) + gg).StoreUnsafe(ref dr, (nuint)at);
                        }
                    }
                    acc.StoreUnsafe(ref pr, (nuint)ch);
                }
            }
            for (; ch < c; ch++)
            {
                float acc = Unsafe.Add(ref pr, ch);
                float vv = product ? Unsafe.Add(ref vr, ch) : 0f;
                for (int r = first; r < last; r++)
                {
                    int at = r * c + ch;
                    float gg = Unsafe.Add(ref gr, at);
                    if (product)
                    {
                        acc = MathF.FusedMultiplyAdd(gg, Unsafe.Add(ref xr, at), acc);
                        if (writeGx) Unsafe.Add(ref dr, at) = MathF.FusedMultiplyAdd(gg, vv, Unsafe.Add(ref dr, at));
                    }
                    else
                    {
                        acc += gg;
                        if (writeGx) Unsafe.Add(ref dr, at) += gg;
                    }
                }
                Unsafe.Add(ref pr, ch) = acc;
            }
        }

        /// <summary>One row of one 16-channel block: the column sum step, and gx's update when asked.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector512<float> Step(ref float gr, ref float xr, ref float vr, ref float dr, int at, int ch, Vector512<float> acc, bool product, bool writeGx)
        {
            var gg = Vector512.LoadUnsafe(ref gr, (nuint)at);
            if (product)
            {
                if (writeGx)
                    Vector512.FusedMultiplyAdd(gg, Vector512.LoadUnsafe(ref vr, (nuint)ch), Vector512.LoadUnsafe(ref dr, (nuint)at)).StoreUnsafe(ref dr, (nuint)at);
                return Vector512.FusedMultiplyAdd(gg, Vector512.LoadUnsafe(ref xr, (nuint)at), acc);
            }
            if (writeGx)
                (Vector512.LoadUnsafe(ref dr, (nuint)at) + gg).StoreUnsafe(ref dr, (nuint)at);
            return acc + gg;
        }

        /// <summary>One row of one 8-channel block (AVX2): the column sum step, and gx's update when asked.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<float> Step256(ref float gr, ref float xr, ref float vr, ref float dr, int at, int ch, Vector256<float> acc, bool product, bool writeGx)
        {
            var gg = Vector256.LoadUnsafe(ref gr, (nuint)at);
            if (product)
            {
                if (writeGx)
                    Vector256.FusedMultiplyAdd(gg, Vector256.LoadUnsafe(ref vr, (nuint)ch), Vector256.LoadUnsafe(ref dr, (nuint)at)).StoreUnsafe(ref dr, (nuint)at);
                return Vector256.FusedMultiplyAdd(gg, Vector256.LoadUnsafe(ref xr, (nuint)at), acc);
            }
            if (writeGx)
                (Vector256.LoadUnsafe(ref dr, (nuint)at) + gg).StoreUnsafe(ref dr, (nuint)at);
            return acc + gg;
        }
    }
}
