using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Softmax;

/// <summary>
/// Softmax and log-softmax over the rows of a dense <c>[rows, n]</c> block (the last axis), stable
/// (the row maximum is subtracted first), rows split over threads — each row is one range's work, so
/// results do not depend on the thread count.
/// </summary>
internal static class SoftmaxKernels
{
    private const int GrainElements = 1 << 14;

    /// <summary><c>y = softmax(x)</c> or <c>log_softmax(x)</c> over each row of <paramref name="n"/> elements of <paramref name="x"/>.</summary>
    public static void Forward(bool log, FloatSlice x, FloatSlice y, int n)
    {
        int rows = Rows(x, n);
        y.Require((long)rows * n, nameof(y));
        ParallelRunner.For(rows, Math.Max(1, GrainElements / Math.Max(n, 1)), new ForwardRows(log, x, y, n));
    }

    /// <summary>
    /// <c>dx += y ⊙ (g − Σ g⊙y)</c> for softmax, <c>dx += g − e^y · Σ g</c> for log-softmax, with
    /// <c>y</c> the saved output.
    /// </summary>
    public static void Backward(bool log, FloatSlice y, FloatSlice g, FloatSlice dx, int n)
    {
        int rows = Rows(y, n);
        g.Require((long)rows * n, nameof(g));
        dx.Require((long)rows * n, nameof(dx));
        ParallelRunner.For(rows, Math.Max(1, GrainElements / Math.Max(n, 1)), new BackwardRows(log, y, g, dx, n));
    }

    /// <summary>The whole rows of <paramref name="n"/> elements in <paramref name="x"/> (none when rows are empty).</summary>
    private static int Rows(FloatSlice x, int n) => n == 0 ? 0 : x.Length / n;

    /// <summary>
    /// One row forward, fused: a vector max, one pass of <c>e^(x − max)</c> (float32
    /// <see cref="FastExp"/>) stored and summed, one pass scaling by <c>1/Σ</c>. For log-softmax the
    /// exponentials are only summed and <c>y = x − max − log Σ</c>. Each row's sums are grouped by
    /// position alone, so results do not depend on the thread count.
    /// </summary>
    public static void ForwardRow(bool log, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        if (n == 0) return;
        if (y.Length < n) throw new ArgumentException($"The softmax output row ({y.Length}) is shorter than the input row ({n}).", nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (!log && n <= 64 && (n & 15) == 0)
        {
            ShortRow(ref xr, ref yr, n >> 4);
            return;
        }
        float max = Max(ref xr, n);
        var vmax = Vector512.Create(max);
        var acc = Vector512<float>.Zero;
        int i = 0;
        if (log)
        {
            for (; i <= n - 16; i += 16) acc += FastExp.Vector(Vector512.LoadUnsafe(ref xr, (nuint)i) - vmax);
            float sum = Vector512.Sum(acc);
            for (; i < n; i++) sum += FastExp.Scalar(Unsafe.Add(ref xr, i) - max);
            // (x − max) − log Σ, not x − (max + log Σ): max may be huge, x − max is exact.
            float logSum = MathF.Log(sum);
            var vlog = Vector512.Create(logSum);
            for (i = 0; i <= n - 16; i += 16) (Vector512.LoadUnsafe(ref xr, (nuint)i) - vmax - vlog).StoreUnsafe(ref yr, (nuint)i);
            for (; i < n; i++) Unsafe.Add(ref yr, i) = Unsafe.Add(ref xr, i) - max - logSum;
        }
        else
        {
            for (; i <= n - 16; i += 16)
            {
                var e = FastExp.Vector(Vector512.LoadUnsafe(ref xr, (nuint)i) - vmax);
                acc += e;
                e.StoreUnsafe(ref yr, (nuint)i);
            }
            float sum = Vector512.Sum(acc);
            for (; i < n; i++)
            {
                float e = FastExp.Scalar(Unsafe.Add(ref xr, i) - max);
                sum += e;
                Unsafe.Add(ref yr, i) = e;
            }
            float inv = 1f / sum;
            var vinv = Vector512.Create(inv);
            for (i = 0; i <= n - 16; i += 16) (Vector512.LoadUnsafe(ref yr, (nuint)i) * vinv).StoreUnsafe(ref yr, (nuint)i);
            for (; i < n; i++) Unsafe.Add(ref yr, i) *= inv;
        }
    }

    /// <summary>
    /// Softmax of a row of 16, 32, 48 or 64 elements (attention over few tokens) held in registers:
    /// one load and one store per element. Missing vectors are −∞, whose exponentials are 0.
    /// </summary>
    private static void ShortRow(ref float x, ref float y, int vectors)
    {
        var negInf = Vector512.Create(float.NegativeInfinity);
        var v0 = Vector512.LoadUnsafe(ref x);
        var v1 = vectors > 1 ? Vector512.LoadUnsafe(ref x, 16) : negInf;
        var v2 = vectors > 2 ? Vector512.LoadUnsafe(ref x, 32) : negInf;
        var v3 = vectors > 3 ? Vector512.LoadUnsafe(ref x, 48) : negInf;
        var vmax = Vector512.Create(HorizontalMax(Vector512.Max(Vector512.Max(v0, v1), Vector512.Max(v2, v3))));
        var e0 = FastExp.Vector(v0 - vmax);
        var e1 = FastExp.Vector(v1 - vmax);
        var e2 = FastExp.Vector(v2 - vmax);
        var e3 = FastExp.Vector(v3 - vmax);
        var inv = Vector512.Create(1f / Vector512.Sum((e0 + e1) + (e2 + e3)));
        (e0 * inv).StoreUnsafe(ref y);
        if (vectors > 1) (e1 * inv).StoreUnsafe(ref y, 16);
        if (vectors > 2) (e2 * inv).StoreUnsafe(ref y, 32);
        if (vectors > 3) (e3 * inv).StoreUnsafe(ref y, 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector512<float> m)
    {
        var m256 = Vector256.Max(m.GetLower(), m.GetUpper());
        var m128 = Vector128.Max(m256.GetLower(), m256.GetUpper());
        m128 = Vector128.Max(m128, Vector128.Shuffle(m128, Vector128.Create(2, 3, 0, 1)));
        m128 = Vector128.Max(m128, Vector128.Shuffle(m128, Vector128.Create(1, 0, 3, 2)));
        return m128.ToScalar();
    }

    /// <summary>The largest element of a non-empty row (NaN if any element is NaN).</summary>
    private static float Max(ref float x, int n)
    {
        int i = 0;
        float max;
        if (n >= 16)
        {
            var m = Vector512.LoadUnsafe(ref x);
            for (i = 16; i <= n - 16; i += 16) m = Vector512.Max(m, Vector512.LoadUnsafe(ref x, (nuint)i));
            max = HorizontalMax(m);
        }
        else
        {
            max = x;
            i = 1;
        }
        for (; i < n; i++) max = MathF.Max(max, Unsafe.Add(ref x, i));
        return max;
    }

    /// <summary>
    /// One row backward (accumulating into <paramref name="dx"/>), fused: one pass for <c>Σ g⊙y</c>
    /// (or <c>Σ g</c>), one for <c>dx += y ⊙ (g − Σ g⊙y)</c> (or <c>dx += g − e^y · Σ g</c>).
    /// </summary>
    public static void BackwardRow(bool log, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        int n = y.Length;
        if (n == 0) return;
        if (g.Length < n || dx.Length < n) throw new ArgumentException($"The softmax gradient rows ({g.Length}, {dx.Length}) are shorter than the output row ({n}).");
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        var acc = Vector512<float>.Zero;
        int i = 0;
        if (log)
        {
            for (; i <= n - 16; i += 16) acc += Vector512.LoadUnsafe(ref gr, (nuint)i);
            float sumG = Vector512.Sum(acc);
            for (; i < n; i++) sumG += Unsafe.Add(ref gr, i);
            var vs = Vector512.Create(-sumG);
            for (i = 0; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref dr, (nuint)i) + Vector512.LoadUnsafe(ref gr, (nuint)i);
                Vector512.FusedMultiplyAdd(FastExp.Vector(Vector512.LoadUnsafe(ref yr, (nuint)i)), vs, d).StoreUnsafe(ref dr, (nuint)i);
            }
            for (; i < n; i++)
                Unsafe.Add(ref dr, i) = MathF.FusedMultiplyAdd(FastExp.Scalar(Unsafe.Add(ref yr, i)), -sumG, Unsafe.Add(ref dr, i) + Unsafe.Add(ref gr, i));
        }
        else
        {
            for (; i <= n - 16; i += 16)
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), acc);
            float dot = Vector512.Sum(acc);
            for (; i < n; i++) dot = MathF.FusedMultiplyAdd(Unsafe.Add(ref gr, i), Unsafe.Add(ref yr, i), dot);
            var vdot = Vector512.Create(dot);
            for (i = 0; i <= n - 16; i += 16)
            {
                var t = Vector512.LoadUnsafe(ref gr, (nuint)i) - vdot;
                Vector512.FusedMultiplyAdd(t, Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512.LoadUnsafe(ref dr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
            for (; i < n; i++)
                Unsafe.Add(ref dr, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref gr, i) - dot, Unsafe.Add(ref yr, i), Unsafe.Add(ref dr, i));
        }
    }

    private readonly struct ForwardRows(bool log, FloatSlice x, FloatSlice y, int n) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int r = start; r < end; r++)
                ForwardRow(log, x.Row(r, n), y.Row(r, n));
        }
    }

    private readonly struct BackwardRows(bool log, FloatSlice y, FloatSlice g, FloatSlice dx, int n) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int r = start; r < end; r++)
                BackwardRow(log, y.Row(r, n), g.Row(r, n), dx.Row(r, n));
        }
    }
}
