using System.Runtime.CompilerServices;
using FormerSearch.Engine.Kernels.Simd;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Kernels.Pooling;

/// <summary>
/// PoolFormer's whole token-mixer residual in one pass over channels-last <c>[B, H, W, C]</c>:
/// <c>out = x + s ⊙ (avgpool3x3(n) − n)</c>, the pooling of stride 1, padding 1 and <c>count_include_pad=False</c>, with
/// <c>n</c> the normed input and <c>s</c> a per-channel layer scale. Unfused, the pooled map is written and read back,
/// and the difference, the scaling and the sum each take a pass. The window is summed in the order
/// <see cref="AvgPool2dKernel"/> sums it and divided the same way, so the pooled values are the same bits; threads take
/// whole rows of pixels.
/// </summary>
internal static class PoolResidualKernel
{
    private const int PixelGrain = 64;

    /// <summary><c>out = x + scale ⊙ (avgpool3x3(n) − n)</c> over <paramref name="batch"/> maps of <paramref name="height"/> × <paramref name="width"/> × <paramref name="channels"/> (an empty scale: ones).</summary>
    /// <exception cref="ArgumentException">A slice is shorter than the maps, or a non-empty scale is not C long.</exception>
    public static void Apply(FloatSlice x, FloatSlice n, FloatSlice scale, FloatSlice output, int batch, int height, int width, int channels)
    {
        long count = (long)batch * height * width * channels;
        x.Require(count, nameof(x));
        n.Require(count, nameof(n));
        output.Require(count, nameof(output));
        if (scale.Length != 0 && scale.Length != channels)
            throw new ArgumentException($"A scale of {scale.Length} does not fit {channels} channels.", nameof(scale));
        if (count == 0) return;
        ParallelRunner.For(batch * height, Math.Max(1, PixelGrain / width), new RowsBody(x, n, scale, output, height, width, channels));
    }

    private readonly struct RowsBody(FloatSlice x, FloatSlice n, FloatSlice scale, FloatSlice output, int height, int width, int channels) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            for (int row = start; row < end; row++)
            {
                int oy = row % height, mapStart = (row - oy) * width;
                int i0 = Math.Max(oy - 1, 0), i1 = Math.Min(oy + 2, height);
                for (int ox = 0; ox < width; ox++)
                {
                    int j0 = Math.Max(ox - 1, 0), j1 = Math.Min(ox + 2, width);
                    var pixel = new Pixel(x, n, scale, output, channels, (row * width + ox) * channels,
                        (mapStart + i0 * width + j0) * channels, i1 - i0, j1 - j0, width, (i1 - i0) * (j1 - j0));
                    Widths.Run(ref pixel);
                }
            }
        }
    }

    /// <summary>One output pixel, a block of channels at a time: the window's sum in row order, divided, then the residual update.</summary>
    private readonly ref struct Pixel(FloatSlice x, FloatSlice n, FloatSlice scale, FloatSlice output, int channels, int at, int windowStart,
        int rows, int columns, int width, float divisor) : IWidthLoop
    {
        private readonly ref float _x = ref x.Start, _n = ref n.Start, _out = ref output.Start;
        private readonly ref float _scale = ref scale.Length != 0 ? ref scale.Start : ref x.Start;
        private readonly bool _scaled = scale.Length != 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<TVector, TSimd>(int ch) where TVector : struct where TSimd : ISimd<TVector>
        {
            var vd = TSimd.Create(divisor);
            for (; ch <= channels - TSimd.Count; ch += TSimd.Count)
            {
                var acc = TSimd.Zero;
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++)
                        acc = TSimd.Add(acc, TSimd.Load(ref _n, (nuint)(windowStart + (i * width + j) * channels + ch)));
                var d = TSimd.Subtract(TSimd.Divide(acc, vd), TSimd.Load(ref _n, (nuint)(at + ch)));
                var xv = TSimd.Load(ref _x, (nuint)(at + ch));
                var v = _scaled ? TSimd.FusedMultiplyAdd(TSimd.Load(ref _scale, (nuint)ch), d, xv) : TSimd.Add(xv, d);
                TSimd.Store(v, ref _out, (nuint)(at + ch));
            }
            return ch;
        }
    }
}
