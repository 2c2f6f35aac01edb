using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Norms;
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

    /// <summary>
    /// <c>gx += g</c> (when <paramref name="gx"/> is given) and <c>gv += Σ_rows g</c> (when
    /// <paramref name="gv"/> is given), for <c>g</c> dense <c>[rows, c]</c> at <paramref name="gOffset"/>.
    /// </summary>
    public static void AddBackward(float[] g, int gOffset, int rows, int c, float[]? gx, int gxOffset, float[]? gv, int gvOffset)
    {
        if (rows == 0 || c == 0) return;
        if (gv is null)
        {
            if (gx is not null) Elementwise(g, gOffset, null, 0, gx, gxOffset, rows, c);
            return;
        }
        Reduce(new Sums(g, gOffset, null, 0, null, 0, gx, gxOffset, c), rows, c, gv, gvOffset);
    }

    /// <summary>
    /// For <c>y = x · v</c>: <c>gx += g · v</c> and <c>gv += Σ_rows g · x</c>, each when its destination is given.
    /// </summary>
    public static void MulBackward(float[] g, int gOffset, float[] x, int xOffset, float[] v, int vOffset, int rows, int c,
        float[]? gx, int gxOffset, float[]? gv, int gvOffset)
    {
        if (rows == 0 || c == 0) return;
        if (gv is null)
        {
            if (gx is not null) Elementwise(g, gOffset, v, vOffset, gx, gxOffset, rows, c);
            return;
        }
        Reduce(new Sums(g, gOffset, x, xOffset, v, vOffset, gx, gxOffset, c), rows, c, gv, gvOffset);
    }

    private static void Reduce(Sums op, int rows, int c, float[] gv, int gvOffset)
    {
        float[] sums = BufferPool.Rent(c);
        try
        {
            var result = sums.AsSpan(0, c);
            ChunkedReduction.Run(rows, op, result);
            var dst = gv.AsSpan(gvOffset, c);
            TensorPrimitives.Add(dst, result, dst);
        }
        finally
        {
            BufferPool.Return(sums);
        }
    }

    /// <summary><c>gx += g</c> or <c>gx += g · v</c> (v per channel), parallel over rows.</summary>
    private static void Elementwise(float[] g, int gOffset, float[]? v, int vOffset, float[] gx, int gxOffset, int rows, int c) =>
        ParallelRunner.For(rows, Math.Max(1, ParallelGrainElements / c), new ElementwiseRows(g, gOffset, v, vOffset, gx, gxOffset, c));

    private readonly struct ElementwiseRows(float[] g, int gOffset, float[]? v, int vOffset, float[] gx, int gxOffset, int c) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            ref float gr = ref MemoryMarshal.GetArrayDataReference(g);
            ref float dr = ref MemoryMarshal.GetArrayDataReference(gx);
            if (v is null)
            {
                // Rows are contiguous: one run over the whole range.
                AddRun(ref Unsafe.Add(ref gr, gOffset + start * c), ref Unsafe.Add(ref dr, gxOffset + start * c), (end - start) * c);
                return;
            }
            ref float vr = ref MemoryMarshal.GetArrayDataReference(v);
            for (int r = start; r < end; r++)
                ScaleAddRow(ref Unsafe.Add(ref gr, gOffset + r * c), ref Unsafe.Add(ref vr, vOffset), ref Unsafe.Add(ref dr, gxOffset + r * c), c);
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
    private readonly struct Sums(float[] g, int gOffset, float[]? x, int xOffset, float[]? v, int vOffset, float[]? gx, int gxOffset, int c) : IRowReducer
    {
        public void AddRows(int first, int last, Span<float> partial)
        {
            ref float gr = ref MemoryMarshal.GetArrayDataReference(g);
            ref float pr = ref MemoryMarshal.GetReference(partial);
            bool product = x is not null;
            bool writeGx = gx is not null;
            ref float xr = ref product ? ref MemoryMarshal.GetArrayDataReference(x!) : ref gr;
            ref float vr = ref v is not null ? ref MemoryMarshal.GetArrayDataReference(v) : ref gr;
            ref float dr = ref writeGx ? ref MemoryMarshal.GetArrayDataReference(gx!) : ref gr;
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
                    var vv = product ? Vector512.LoadUnsafe(ref vr, (nuint)(vOffset + ch)) : default;
                    for (int r = first; r < last; r++)
                    {
                        int at = r * c + ch;
                        var gg = Vector512.LoadUnsafe(ref gr, (nuint)(gOffset + at));
                        if (product)
                        {
                            acc = Vector512.FusedMultiplyAdd(gg, Vector512.LoadUnsafe(ref xr, (nuint)(xOffset + at)), acc);
                            if (writeGx)
                                Vector512.FusedMultiplyAdd(gg, vv, Vector512.LoadUnsafe(ref dr, (nuint)(gxOffset + at))).StoreUnsafe(ref dr, (nuint)(gxOffset + at));
                        }
                        else
                        {
                            acc += gg;
                            if (writeGx)
                                (Vector512.LoadUnsafe(ref dr, (nuint)(gxOffset + at)) + gg).StoreUnsafe(ref dr, (nuint)(gxOffset + at));
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
                    var vv = product ? Vector256.LoadUnsafe(ref vr, (nuint)(vOffset + ch)) : default;
                    for (int r = first; r < last; r++)
                    {
                        int at = r * c + ch;
                        var gg = Vector256.LoadUnsafe(ref gr, (nuint)(gOffset + at));
                        if (product)
                        {
                            acc = Vector256.FusedMultiplyAdd(gg, Vector256.LoadUnsafe(ref xr, (nuint)(xOffset + at)), acc);
                            if (writeGx)
                                Vector256.FusedMultiplyAdd(gg, vv, Vector256.LoadUnsafe(ref dr, (nuint)(gxOffset + at))).StoreUnsafe(ref dr, (nuint)(gxOffset + at));
                        }
                        else
                        {
                            acc += gg;
                            if (writeGx)
                                (Vector256.LoadUnsafe(ref dr, (nuint)(gxOffset + at)) + gg).StoreUnsafe(ref dr, (nuint)(gxOffset + at));
                        }
                    }
                    acc.StoreUnsafe(ref pr, (nuint)ch);
                }
            }
            for (; ch < c; ch++)
            {
                float acc = Unsafe.Add(ref pr, ch);
                float vv = product ? Unsafe.Add(ref vr, vOffset + ch) : 0f;
                for (int r = first; r < last; r++)
                {
                    int at = r * c + ch;
                    float gg = Unsafe.Add(ref gr, gOffset + at);
                    if (product)
                    {
                        acc = MathF.FusedMultiplyAdd(gg, Unsafe.Add(ref xr, xOffset + at), acc);
                        if (writeGx) Unsafe.Add(ref dr, gxOffset + at) = MathF.FusedMultiplyAdd(gg, vv, Unsafe.Add(ref dr, gxOffset + at));
                    }
                    else
                    {
                        acc += gg;
                        if (writeGx) Unsafe.Add(ref dr, gxOffset + at) += gg;
                    }
                }
                Unsafe.Add(ref pr, ch) = acc;
            }
        }

        /// <summary>One row of one 16-channel block: the column sum step, and gx's update when asked.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector512<float> Step(ref float gr, ref float xr, ref float vr, ref float dr, int at, int ch, Vector512<float> acc, bool product, bool writeGx)
        {
            var gg = Vector512.LoadUnsafe(ref gr, (nuint)(gOffset + at));
            if (product)
            {
                if (writeGx)
                    Vector512.FusedMultiplyAdd(gg, Vector512.LoadUnsafe(ref vr, (nuint)(vOffset + ch)), Vector512.LoadUnsafe(ref dr, (nuint)(gxOffset + at))).StoreUnsafe(ref dr, (nuint)(gxOffset + at));
                return Vector512.FusedMultiplyAdd(gg, Vector512.LoadUnsafe(ref xr, (nuint)(xOffset + at)), acc);
            }
            if (writeGx)
                (Vector512.LoadUnsafe(ref dr, (nuint)(gxOffset + at)) + gg).StoreUnsafe(ref dr, (nuint)(gxOffset + at));
            return acc + gg;
        }

        /// <summary>One row of one 8-channel block (AVX2): the column sum step, and gx's update when asked.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<float> Step256(ref float gr, ref float xr, ref float vr, ref float dr, int at, int ch, Vector256<float> acc, bool product, bool writeGx)
        {
            var gg = Vector256.LoadUnsafe(ref gr, (nuint)(gOffset + at));
            if (product)
            {
                if (writeGx)
                    Vector256.FusedMultiplyAdd(gg, Vector256.LoadUnsafe(ref vr, (nuint)(vOffset + ch)), Vector256.LoadUnsafe(ref dr, (nuint)(gxOffset + at))).StoreUnsafe(ref dr, (nuint)(gxOffset + at));
                return Vector256.FusedMultiplyAdd(gg, Vector256.LoadUnsafe(ref xr, (nuint)(xOffset + at)), acc);
            }
            if (writeGx)
                (Vector256.LoadUnsafe(ref dr, (nuint)(gxOffset + at)) + gg).StoreUnsafe(ref dr, (nuint)(gxOffset + at));
            return acc + gg;
        }
    }
}
