using System.Numerics.Tensors;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Conv;

/// <summary>
/// A dense (<c>groups = 1</c>) channels-last convolution computed tile by tile: each tile of output pixels gathers its
/// own im2col rows into a small per-thread buffer and multiplies them at once, so the column matrix never exists
/// whole. When the weight is small (few output channels), the whole-batch column matrix of
/// <see cref="Im2Col"/> is many times larger than the cache and each of its floats feeds only a few dozen
/// multiply-adds, so the one large GEMM waits on memory (a 24→24 3×3 stem at 14×14 on 128 images: 22 MB of columns,
/// ~37 GFLOP/s); a tile of ~100 KB stays in L2 while it is used.
/// <para>
/// Tiles are fixed by the shape alone — <see cref="Segments"/> runs of whole images, each cut into tiles of
/// <see cref="TilePixels"/> pixels — never by the thread count: each output float is one GEMM over one tile, the input
/// gradient of a segment's images is added tile after tile by the thread that owns the segment, and the weight
/// gradient is a per-segment partial summed in segment order. Results are bit-identical for any thread count.
/// </para>
/// </summary>
internal static class TiledConv
{
    // Floats of columns a tile gathers: ~128 KB, well inside Zen 5's and Skylake's 1 MB L2 with the GEMM's packing.
    private const int TileFloats = 32 * 1024;

    // The weight gradient's partials (segments × weight) stay below this many floats; the input gradient parallelism
    // comes from segments, so more of them than a few per thread buys nothing.
    private const int MaxSegments = 16;

    // Weights up to this many floats take the tiled path: a larger output width reuses each column float enough
    // that the whole-batch GEMM is compute-bound, and its partial weight gradients would grow large.
    private const int MaxWeightFloats = 128 * 1024;

    /// <summary>
    /// Whether a convolution of shape <paramref name="s"/> with <paramref name="cout"/> outputs and one group should
    /// run tiled: its weight is small and its column matrix does not fit in the cache — or, for a forward pass without
    /// gradient, spans more than one tile (a batch-1 stem: unpacked tiles on both threads beat one packed GEMM).
    /// </summary>
    public static bool Suits(in ConvShape s, int cout, bool withGradient = true)
    {
        long k = (long)s.Kh * s.Kw * s.C;
        return k * cout <= MaxWeightFloats && (long)s.OutputPixels * k > (withGradient ? 4L : 1L) * TileFloats;
    }

    /// <summary>Output pixels per tile for a column width of <paramref name="k"/> floats (at least 16).</summary>
    public static int TilePixels(int k) => Math.Max(16, TileFloats / Math.Max(1, k));

    /// <summary>Runs of whole images whose weight-gradient partials are summed in order (1 to <see cref="MaxSegments"/>).</summary>
    public static int Segments(in ConvShape s) => Math.Clamp(s.B, 1, MaxSegments);

    /// <summary>
    /// <c>y = x ⊛ w (+ y)</c>: <paramref name="w"/> holds <paramref name="cout"/> OHWI rows <paramref name="ldw"/> floats
    /// apart; <paramref name="beta"/> 1 adds to what <paramref name="y"/> holds (a bias copied in), 0 overwrites it.
    /// </summary>
    public static void Forward(FloatSlice x, in ConvShape s, FloatSlice w, int ldw, int cout, float beta, FloatSlice y)
    {
        int k = s.Kh * s.Kw * s.C, tile = TilePixels(k);
        int tiles = (s.OutputPixels + tile - 1) / tile;
        ParallelRunner.For(tiles, 1, new ForwardBody { X = x, S = s, W = w, Ldw = ldw, Cout = cout, Beta = beta, Y = y, Tile = tile });
    }

    /// <summary>
    /// Adds the input gradient into <paramref name="gx"/> (when not null) and the weight gradient into
    /// <paramref name="gw"/> (rows <paramref name="ldgw"/> apart, when not null) from the output gradient <paramref name="gy"/>.
    /// </summary>
    public static void Backward(FloatSlice x, in ConvShape s, FloatSlice w, int ldw, int cout, FloatSlice gy,
        FloatSlice? gx, FloatSlice? gw, int ldgw)
    {
        int k = s.Kh * s.Kw * s.C, segments = Segments(s), weight = cout * k;
        float[]? partials = gw is null ? null : BufferPool.Rent(segments * weight);
        try
        {
            ParallelRunner.For(segments, 1, new BackwardBody
            {
                X = x, S = s, W = w, Ldw = ldw, Cout = cout, Gy = gy, Gx = gx, Partials = partials,
                Segments = segments, Tile = TilePixels(k),
            });
            if (gw is not { } g || partials is null) return;
            // Segment order, whatever thread computed each partial.
            var sum = partials.AsSpan(0, weight);
            for (int seg = 1; seg < segments; seg++) TensorPrimitives.Add(sum, partials.AsSpan(seg * weight, weight), sum);
            for (int o = 0; o < cout; o++)
            {
                var row = g.AsSpan(o * ldgw, k);
                TensorPrimitives.Add(row, sum.Slice(o * k, k), row);
            }
        }
        finally
        {
            if (partials is not null) BufferPool.Return(partials);
        }
    }

    private struct ForwardBody : IRangeBody
    {
        public FloatSlice X, W, Y;
        public ConvShape S;
        public int Ldw, Cout, Tile;
        public float Beta;

        public readonly void Invoke(int start, int end)
        {
            int k = S.Kh * S.Kw * S.C, m = S.OutputPixels;
            float[] col = BufferPool.Rent(Tile * k);
            try
            {
                for (int t = start; t < end; t++)
                {
                    int p0 = t * Tile, p1 = Math.Min(m, p0 + Tile), rows = p1 - p0;
                    Im2Col.GatherRows(X, S, p0, p1, col);
                    Gemm.ManagedGemm.Instance.SgemmUnpacked(false, true, rows, Cout, k, 1f, col.AsSpan(0, rows * k), k, W, Ldw, Beta, Y.AsSpan(p0 * Cout, rows * Cout), Cout);
                }
            }
            finally
            {
                BufferPool.Return(col);
            }
        }
    }

    private struct BackwardBody : IRangeBody
    {
        public FloatSlice X, W, Gy;
        public FloatSlice? Gx;
        public float[]? Partials;
        public ConvShape S;
        public int Ldw, Cout, Segments, Tile;

        public readonly void Invoke(int start, int end)
        {
            int k = S.Kh * S.Kw * S.C, perImage = S.Ho * S.Wo, weight = Cout * k;
            float[] col = BufferPool.Rent(Tile * k);
            try
            {
                for (int seg = start; seg < end; seg++)
                {
                    // Segment seg owns images [b0, b1): only it adds to their input gradient.
                    int b0 = (int)((long)S.B * seg / Segments), b1 = (int)((long)S.B * (seg + 1) / Segments);
                    var partial = Partials is null ? default : Partials.AsSpan(seg * weight, weight);
                    partial.Clear();
                    for (int p0 = b0 * perImage, end1 = b1 * perImage; p0 < end1; p0 += Tile)
                    {
                        int p1 = Math.Min(end1, p0 + Tile), rows = p1 - p0;
                        var gyTile = Gy.AsSpan(p0 * Cout, rows * Cout);
                        if (Partials is not null)
                        {
                            Im2Col.GatherRows(X, S, p0, p1, col);
                            // partial += dYᵀ · col
                            Gemm.ManagedGemm.Instance.SgemmUnpacked(true, false, Cout, k, rows, 1f, gyTile, Cout, col.AsSpan(0, rows * k), k, 1f, partial, k);
                        }
                        if (Gx is { } gx)
                        {
                            // dcol = dY · W, then its taps go back onto the input pixels they were gathered from.
                            Gemm.ManagedGemm.Instance.SgemmUnpacked(false, false, rows, k, Cout, 1f, gyTile, Cout, W, Ldw, 0f, col.AsSpan(0, rows * k), k);
                            Im2Col.ScatterAddRows(col, S, p0, p1, gx);
                        }
                    }
                }
            }
            finally
            {
                BufferPool.Return(col);
            }
        }
    }
}
