using System.Numerics.Tensors;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Reductions;

/// <summary>
/// Softmax and log-softmax over the rows of a dense <c>[rows, n]</c> block (the last axis), stable
/// (the row maximum is subtracted first), rows split over threads — each row is one range's work, so
/// results do not depend on the thread count.
/// </summary>
internal static class SoftmaxKernels
{
    private const int GrainElements = 1 << 14;

    /// <summary><c>y = softmax(x)</c> or <c>log_softmax(x)</c> row by row.</summary>
    public static void Forward(bool log, float[] x, int xOffset, float[] y, int yOffset, int rows, int n) =>
        ParallelRunner.For(rows, Math.Max(1, GrainElements / Math.Max(n, 1)), new ForwardRows(log, x, xOffset, y, yOffset, n));

    /// <summary>
    /// <c>dx += y ⊙ (g − Σ g⊙y)</c> for softmax, <c>dx += g − e^y · Σ g</c> for log-softmax, with
    /// <c>y</c> the saved output.
    /// </summary>
    public static void Backward(bool log, float[] y, int yOffset, float[] g, int gOffset, float[] dx, int dxOffset, int rows, int n) =>
        ParallelRunner.For(rows, Math.Max(1, GrainElements / Math.Max(n, 1)), new BackwardRows(log, y, yOffset, g, gOffset, dx, dxOffset, n));

    /// <summary>One row forward.</summary>
    public static void ForwardRow(bool log, ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.IsEmpty) return;
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        if (log)
        {
            // log Σ e^(x−max) needs the exponentials only transiently: sum them in chunks.
            Span<float> tmp = stackalloc float[256];
            float sum = 0f;
            for (int i = 0; i < y.Length; i += tmp.Length)
            {
                int m = Math.Min(tmp.Length, y.Length - i);
                TensorPrimitives.Exp(y.Slice(i, m), tmp[..m]);
                sum += TensorPrimitives.Sum(tmp[..m]);
            }
            TensorPrimitives.Subtract(y, MathF.Log(sum), y);
        }
        else
        {
            TensorPrimitives.Exp(y, y);
            float sum = TensorPrimitives.Sum(y);
            TensorPrimitives.Multiply(y, 1f / sum, y);
        }
    }

    /// <summary>One row backward (accumulating into <paramref name="dx"/>).</summary>
    public static void BackwardRow(bool log, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        if (y.IsEmpty) return;
        if (log)
        {
            float sumG = TensorPrimitives.Sum(g);
            Span<float> tmp = stackalloc float[256];
            for (int i = 0; i < y.Length; i += tmp.Length)
            {
                int m = Math.Min(tmp.Length, y.Length - i);
                var t = tmp[..m];
                var d = dx.Slice(i, m);
                TensorPrimitives.Exp(y.Slice(i, m), t);
                // dx += g − e^y·Σg
                TensorPrimitives.Add(d, g.Slice(i, m), d);
                TensorPrimitives.MultiplyAdd(t, -sumG, d, d);
            }
        }
        else
        {
            float dot = TensorPrimitives.Dot(g, y);
            Span<float> tmp = stackalloc float[256];
            for (int i = 0; i < y.Length; i += tmp.Length)
            {
                int m = Math.Min(tmp.Length, y.Length - i);
                var t = tmp[..m];
                var d = dx.Slice(i, m);
                // dx += y·(g − dot)
                TensorPrimitives.Subtract(g.Slice(i, m), dot, t);
                TensorPrimitives.MultiplyAdd(t, y.Slice(i, m), d, d);
            }
        }
    }

    private readonly struct ForwardRows(bool log, float[] x, int xOffset, float[] y, int yOffset, int n) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int r = start; r < end; r++)
                ForwardRow(log, x.AsSpan(xOffset + r * n, n), y.AsSpan(yOffset + r * n, n));
        }
    }

    private readonly struct BackwardRows(bool log, float[] y, int yOffset, float[] g, int gOffset, float[] dx, int dxOffset, int n) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int r = start; r < end; r++)
                BackwardRow(log, y.AsSpan(yOffset + r * n, n), g.AsSpan(gOffset + r * n, n), dx.AsSpan(dxOffset + r * n, n));
        }
    }
}
