using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FormerSearch.Data.Folders;

/// <summary>
/// Pillow's bilinear resampling of 8-bit images (<c>Image.resize(size, BILINEAR)</c>, which torchvision's <c>Resize</c> calls
/// on PIL images), reproduced to the bit: a triangle filter stretched by the downscaling factor (so it antialiases), its
/// weights normalised per output pixel and rounded to 22-bit fixed point, a horizontal pass into an 8-bit intermediate
/// image and then a vertical pass, each rounding and clipping to 0–255. An axis whose size does not change is not
/// resampled. Only a window of the output is computed (resize-then-crop without the pixels the crop throws away).
/// </summary>
public static class PilResize
{
    private const int PrecisionBits = 32 - 8 - 2;

    // The last coefficients each thread computed per axis: a folder's images mostly share one size, so they are reused.
    [ThreadStatic] private static (int In, int Out, int Start, int Count, int[] Bounds, int[] Weights, int Taps)? t_lastX, t_lastY;

    /// <summary>
    /// Resizes <paramref name="source"/> <c>[height, width, channels]</c> to <paramref name="outHeight"/>×<paramref name="outWidth"/>
    /// and writes the window at (<paramref name="top"/>, <paramref name="left"/>) of size
    /// <paramref name="cropHeight"/>×<paramref name="cropWidth"/> into <paramref name="destination"/> <c>[cropHeight, cropWidth, channels]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the window leaves the output, or a span is too short.</exception>
    public static void ResizeWindow(ReadOnlySpan<byte> source, int height, int width, int channels, int outHeight, int outWidth,
        int top, int left, int cropHeight, int cropWidth, Span<byte> destination)
    {
        if (height <= 0 || width <= 0 || channels <= 0 || outHeight <= 0 || outWidth <= 0 || cropHeight <= 0 || cropWidth <= 0)
            throw new ArgumentException($"Resize sizes {height}x{width}x{channels} -> {outHeight}x{outWidth} (window {cropHeight}x{cropWidth}) must be positive.");
        if (top < 0 || left < 0 || top + cropHeight > outHeight || left + cropWidth > outWidth)
            throw new ArgumentException($"Window {cropHeight}x{cropWidth} at ({top}, {left}) leaves the {outHeight}x{outWidth} output.");
        if (source.Length < (long)height * width * channels) throw new ArgumentException("The source is shorter than its image.", nameof(source));
        if (destination.Length < (long)cropHeight * cropWidth * channels) throw new ArgumentException("The destination is shorter than the window.", nameof(destination));

        bool horizontal = outWidth != width, vertical = outHeight != height;
        var (yBounds, yWeights, yTaps) = vertical ? Cached(ref t_lastY, height, outHeight, top, cropHeight) : Identity(top, cropHeight);
        // Source rows the vertical pass reads for the window's rows.
        int firstRow = yBounds[0], lastRow = firstRow;
        for (int y = 0; y < cropHeight; y++) lastRow = Math.Max(lastRow, yBounds[2 * y] + yBounds[2 * y + 1]);

        ReadOnlySpan<byte> rows;   // [lastRow − firstRow, cropWidth, channels]
        byte[]? temp = null;
        if (horizontal)
        {
            var (xBounds, xWeights, xTaps) = Cached(ref t_lastX, width, outWidth, left, cropWidth);
            temp = new byte[(lastRow - firstRow) * cropWidth * channels];
            for (int y = firstRow; y < lastRow; y++)
                Horizontal(source.Slice(y * width * channels, width * channels), channels, xBounds, xWeights, xTaps,
                    temp.AsSpan((y - firstRow) * cropWidth * channels, cropWidth * channels));
            rows = temp;
        }
        else
        {
            var window = new byte[(lastRow - firstRow) * cropWidth * channels];
            for (int y = firstRow; y < lastRow; y++)
                source.Slice((y * width + left) * channels, cropWidth * channels).CopyTo(window.AsSpan((y - firstRow) * cropWidth * channels));
            rows = window;
        }
        int rowLength = cropWidth * channels;
        var sums = new int[rowLength];
        for (int y = 0; y < cropHeight; y++)
        {
            int first = yBounds[2 * y] - firstRow, taps = yBounds[2 * y + 1];
            Array.Fill(sums, 1 << (PrecisionBits - 1));
            // Tap by tap over whole rows: contiguous, so the vector path takes 16 values at a time.
            for (int k = 0; k < taps; k++) MultiplyAdd(rows.Slice((first + k) * rowLength, rowLength), yWeights[y * yTaps + k], sums);
            Narrow(sums, destination.Slice(y * rowLength, rowLength));
        }
    }

    // sums[i] += row[i] · weight.
    private static void MultiplyAdd(ReadOnlySpan<byte> row, int weight, Span<int> sums)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var w = Vector128.Create(weight);
            ref byte source = ref MemoryMarshal.GetReference(row);
            ref int target = ref MemoryMarshal.GetReference(sums);
            for (; i + 16 <= row.Length; i += 16)
            {
                var (low, high) = Vector128.Widen(Vector128.LoadUnsafe(ref source, (nuint)i));
                var (a, b) = Vector128.Widen(low);
                var (c, d) = Vector128.Widen(high);
                ref int at = ref Unsafe.Add(ref target, i);
                (Vector128.LoadUnsafe(ref at) + a.AsInt32() * w).StoreUnsafe(ref at);
                (Vector128.LoadUnsafe(ref at, 4) + b.AsInt32() * w).StoreUnsafe(ref at, 4);
                (Vector128.LoadUnsafe(ref at, 8) + c.AsInt32() * w).StoreUnsafe(ref at, 8);
                (Vector128.LoadUnsafe(ref at, 12) + d.AsInt32() * w).StoreUnsafe(ref at, 12);
            }
        }
        for (; i < row.Length; i++) sums[i] += row[i] * weight;
    }

    // Pillow's clip8 on every sum: clamp(sum >> 22, 0, 255) is the same as its three cases.
    private static void Narrow(ReadOnlySpan<int> sums, Span<byte> output)
    {
        for (int i = 0; i < sums.Length; i++) output[i] = (byte)Math.Clamp(sums[i] >> PrecisionBits, 0, 255);
    }

    private static void Horizontal(ReadOnlySpan<byte> row, int channels, int[] bounds, int[] weights, int taps, Span<byte> output)
    {
        int count = output.Length / channels;
        if (channels == 3)
        {
            ref byte source = ref MemoryMarshal.GetReference(row);
            for (int x = 0; x < count; x++)
            {
                int first = bounds[2 * x], n = bounds[2 * x + 1];
                // The bounds were clamped to the row when computed, so every tap reads inside it.
                ref byte pixel = ref Unsafe.Add(ref source, 3 * first);
                ref int w = ref weights[x * taps];
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (int k = 0; k < n; k++)
                {
                    int weight = Unsafe.Add(ref w, k);
                    r += Unsafe.Add(ref pixel, 3 * k) * weight;
                    g += Unsafe.Add(ref pixel, 3 * k + 1) * weight;
                    b += Unsafe.Add(ref pixel, 3 * k + 2) * weight;
                }
                output[3 * x] = Clip8(r);
                output[3 * x + 1] = Clip8(g);
                output[3 * x + 2] = Clip8(b);
            }
            return;
        }
        for (int x = 0; x < count; x++)
        {
            int first = bounds[2 * x], n = bounds[2 * x + 1];
            var w = weights.AsSpan(x * taps, n);
            for (int c = 0; c < channels; c++)
            {
                int sum = 1 << (PrecisionBits - 1);
                for (int k = 0; k < n; k++) sum += row[(first + k) * channels + c] * w[k];
                output[x * channels + c] = Clip8(sum);
            }
        }
    }

    private static byte Clip8(int value) =>
        value >= 255 << PrecisionBits ? (byte)255 : value <= 0 ? (byte)0 : (byte)(value >> PrecisionBits);

    private static (int[] Bounds, int[] Weights, int Taps) Cached(ref (int In, int Out, int Start, int Count, int[] Bounds, int[] Weights, int Taps)? last,
        int inSize, int outSize, int start, int count)
    {
        if (last is { } l && l.In == inSize && l.Out == outSize && l.Start == start && l.Count == count) return (l.Bounds, l.Weights, l.Taps);
        var (bounds, weights, taps) = Coefficients(inSize, outSize, start, count);
        last = (inSize, outSize, start, count, bounds, weights, taps);
        return (bounds, weights, taps);
    }

    // Pillow's precompute_coeffs for the output positions [start, start + count) of an axis resized from inSize to outSize,
    // then normalize_coeffs_8bpc: per output position its first source index and tap count, and the taps in fixed point.
    private static (int[] Bounds, int[] Weights, int Taps) Coefficients(int inSize, int outSize, int start, int count)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale; // the bilinear filter's support is 1
        double inverse = 1.0 / filterScale;
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[2 * count];
        var weights = new int[count * taps];
        Span<double> k = stackalloc double[taps];
        for (int o = 0; o < count; o++)
        {
            double center = (start + o + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int max = Math.Min((int)(center + support + 0.5), inSize) - min;
            double total = 0;
            for (int x = 0; x < max; x++)
            {
                double t = Math.Abs((x + min - center + 0.5) * inverse);
                k[x] = t < 1.0 ? 1.0 - t : 0.0;
                total += k[x];
            }
            for (int x = 0; x < max; x++)
            {
                double v = total != 0.0 ? k[x] / total : k[x];
                weights[o * taps + x] = v < 0 ? (int)(-0.5 + v * (1 << PrecisionBits)) : (int)(0.5 + v * (1 << PrecisionBits));
            }
            bounds[2 * o] = min;
            bounds[2 * o + 1] = max;
        }
        return (bounds, weights, taps);
    }

    // An axis that keeps its size: each output position reads its own source position with weight 1.
    private static (int[] Bounds, int[] Weights, int Taps) Identity(int start, int count)
    {
        var bounds = new int[2 * count];
        var weights = new int[count];
        for (int o = 0; o < count; o++)
        {
            bounds[2 * o] = start + o;
            bounds[2 * o + 1] = 1;
            weights[o] = 1 << PrecisionBits;
        }
        return (bounds, weights, 1);
    }
}
