namespace FormerSearch.Data;

/// <summary>
/// Bilinear resizing of one channels-last image as <c>torch.nn.functional.interpolate(mode="bilinear",
/// align_corners=False, antialias=False)</c> computes it (and torchvision's tensor Resize without
/// antialiasing): source coordinate <c>(dst + 0.5)·in/out − 0.5</c>, clamped at 0, and an axis whose
/// size does not change is copied.
/// </summary>
public static class BilinearResize
{
    /// <summary>Resizes <paramref name="source"/> <c>[h, w, c]</c> into <paramref name="destination"/> <c>[outH, outW, c]</c>.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span is shorter than its image.</exception>
    public static void Resize(ReadOnlySpan<float> source, int height, int width, int channels, Span<float> destination, int outHeight, int outWidth)
    {
        if (height <= 0 || width <= 0 || channels <= 0 || outHeight <= 0 || outWidth <= 0)
            throw new ArgumentException($"Resize sizes {height}x{width}x{channels} -> {outHeight}x{outWidth} must be positive.");
        if (source.Length < height * width * channels) throw new ArgumentException($"Source holds {source.Length} values, fewer than {height}x{width}x{channels}.", nameof(source));
        if (destination.Length < outHeight * outWidth * channels) throw new ArgumentException($"Destination holds {destination.Length} values, fewer than {outHeight}x{outWidth}x{channels}.", nameof(destination));

        Span<int> y0 = outHeight <= 1024 ? stackalloc int[outHeight] : new int[outHeight];
        Span<int> y1 = outHeight <= 1024 ? stackalloc int[outHeight] : new int[outHeight];
        Span<float> wy = outHeight <= 1024 ? stackalloc float[outHeight] : new float[outHeight];
        Span<int> x0 = outWidth <= 1024 ? stackalloc int[outWidth] : new int[outWidth];
        Span<int> x1 = outWidth <= 1024 ? stackalloc int[outWidth] : new int[outWidth];
        Span<float> wx = outWidth <= 1024 ? stackalloc float[outWidth] : new float[outWidth];
        Table(height, outHeight, y0, y1, wy);
        Table(width, outWidth, x0, x1, wx);

        int rowStride = width * channels;
        if (channels == 1)
        {
            // Grey images (MNIST-like data) are the common case: no channel loop.
            for (int oy = 0; oy < outHeight; oy++)
            {
                float b = wy[oy], a = 1f - b;
                var rowTop = source.Slice(y0[oy] * width, width);
                var rowBottom = source.Slice(y1[oy] * width, width);
                var outRow = destination.Slice(oy * outWidth, outWidth);
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float r = wx[ox], l = 1f - r;
                    int i0 = x0[ox], i1 = x1[ox];
                    outRow[ox] = a * (l * rowTop[i0] + r * rowTop[i1]) + b * (l * rowBottom[i0] + r * rowBottom[i1]);
                }
            }
            return;
        }
        for (int oy = 0; oy < outHeight; oy++)
        {
            float b = wy[oy], a = 1f - b;
            var rowTop = source.Slice(y0[oy] * rowStride, rowStride);
            var rowBottom = source.Slice(y1[oy] * rowStride, rowStride);
            var outRow = destination.Slice(oy * outWidth * channels, outWidth * channels);
            for (int ox = 0; ox < outWidth; ox++)
            {
                float r = wx[ox], l = 1f - r;
                int i0 = x0[ox] * channels, i1 = x1[ox] * channels, o = ox * channels;
                for (int c = 0; c < channels; c++)
                    outRow[o + c] = a * (l * rowTop[i0 + c] + r * rowTop[i1 + c]) + b * (l * rowBottom[i0 + c] + r * rowBottom[i1 + c]);
            }
        }
    }

    // PyTorch's compute_source_index_and_lambda (float arithmetic, as for float32 tensors).
    private static void Table(int inSize, int outSize, Span<int> index0, Span<int> index1, Span<float> lambda1)
    {
        if (inSize == outSize)
        {
            for (int o = 0; o < outSize; o++) { index0[o] = o; index1[o] = o; lambda1[o] = 0f; }
            return;
        }
        float scale = (float)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            float real = scale * (o + 0.5f) - 0.5f;
            if (real < 0f) real = 0f;
            int i = (int)real;
            index0[o] = i;
            index1[o] = i < inSize - 1 ? i + 1 : i;
            lambda1[o] = Math.Clamp(real - i, 0f, 1f);
        }
    }
}
