using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// Turns stored images into one batch's normalised, augmented input. Holds the scratch images of one
/// thread, so each thread that builds batches has its own; it draws every random number from the
/// batch's own generator in a fixed order (per image: crop, flip, erasing; then the batch's mix).
/// </summary>
internal sealed class BatchBuilder
{
    private readonly ImageDataset _data;
    private readonly Augmentation _aug;
    private readonly int _outC, _outH, _outW, _numClasses;
    private readonly float _smoothing;
    private readonly float[] _scale, _shift;   // per data channel: value · scale + shift normalises a raw pixel
    private readonly float[] _native;          // [H, W, C] after crop and flip, raw pixel values
    private readonly float[] _resized;         // [outH, outW, C] raw pixel values
    private readonly float[] _mixScratch;      // one output image, for mixing a pair
    private readonly float[] _normalised;      // [outH, outW] one normalised grey channel before repetition
    private float[] _wholeBatch = [];          // a whole mixed batch when only a rank's part is wanted

    public BatchBuilder(ImageDataset data, Augmentation aug, int outC, int outH, int outW, int numClasses, float labelSmoothing)
    {
        _data = data;
        _aug = aug;
        _outC = outC;
        _outH = outH;
        _outW = outW;
        _numClasses = numClasses;
        _smoothing = labelSmoothing;
        int c = data.Channels;
        _scale = new float[c];
        _shift = new float[c];
        float unit = data.IsUInt8 ? 1f / 255f : 1f;
        for (int i = 0; i < c; i++)
        {
            _scale[i] = unit / data.Std[i];
            _shift[i] = -data.Mean[i] / data.Std[i];
        }
        _native = new float[data.ImageSize];
        _resized = new float[outH * outW * c];
        _mixScratch = new float[outH * outW * outC];
        _normalised = new float[outH * outW];
    }

    /// <summary>Elements of one output image.</summary>
    public int OutputImageSize => _outH * _outW * _outC;

    /// <summary>
    /// Fills <paramref name="images"/> <c>[end − first, outH, outW, outC]</c> and the labels (and soft targets) of items
    /// <paramref name="first"/>…<paramref name="end"/> of the batch <paramref name="items"/>: exactly those rows of the whole
    /// batch (a data-parallel rank's part). Without mixing, the earlier items' random numbers are drawn without their pixels.
    /// </summary>
    public void Build(ReadOnlySpan<int> items, int first, int end, Generator? rng, Span<float> images, int[] labels, Span<float> softTargets)
    {
        int size = OutputImageSize;
        if (_aug.MixEnabled && (first > 0 || end < items.Length))
        {
            // Mixing pairs image j with image B−1−j, which may lie in another rank's part: build the whole batch.
            int count = items.Length, rows = end - first;
            if (_wholeBatch.Length < count * size) _wholeBatch = new float[count * size];
            var allLabels = new int[count];
            var allSoft = new float[count * _numClasses];
            Build(items, 0, count, rng, _wholeBatch, allLabels, allSoft);
            _wholeBatch.AsSpan(first * size, rows * size).CopyTo(images);
            allLabels.AsSpan(first, rows).CopyTo(labels);
            allSoft.AsSpan(first * _numClasses, rows * _numClasses).CopyTo(softTargets);
            return;
        }
        for (int i = 0; i < end; i++)
        {
            if (i < first)
            {
                if (rng is not null) DrawOnly(rng);
                continue;
            }
            labels[i - first] = _data.Labels[items[i]];
            FillImage(items[i], rng, images.Slice((i - first) * size, size));
        }
        if (_aug.MixEnabled) Mix(items.Length, rng!, images, labels, softTargets);
    }

    // An image's random numbers in the order FillImage draws them, without its pixels (erasing fills a scratch image).
    private void DrawOnly(Generator rng)
    {
        DrawPlacement(rng);
        if (_aug.RandomErasingProb > 0) Erase(rng, _mixScratch);
    }

    // The region of the stored image taken (the whole image, shifted by the padded crop's offsets, or a random resized crop) and the flip.
    private (int Top, int Left, int CropH, int CropW, bool Flip) DrawPlacement(Generator? rng)
    {
        int h = _data.Height, w = _data.Width;
        int top = 0, left = 0, cropH = h, cropW = w;
        bool flip = false;
        if (rng is not null && _aug.RandomResizedCrop)
        {
            (top, left, cropH, cropW) = _aug.ResizedCropRegion(rng, h, w);
        }
        else if (rng is not null && _aug.CropPadding > 0)
        {
            int pad = _aug.CropPadding;
            top = rng.NextInt(2 * pad + 1) - pad;   // offsets into the zero-padded image, pad being the unshifted crop
            left = rng.NextInt(2 * pad + 1) - pad;
        }
        if (rng is not null && _aug.HorizontalFlip) flip = rng.NextFloat() < 0.5f;
        return (top, left, cropH, cropW, flip);
    }

    private void FillImage(int item, Generator? rng, Span<float> output)
    {
        int h = _data.Height, w = _data.Width, c = _data.Channels;
        var (top, left, cropH, cropW, flip) = DrawPlacement(rng);

        // Crop (zero padding outside the image) and flip: out(y, x) = src(y + top, x' + left), x' = flipped x.
        if (_data.IsUInt8) CropFlip(_data.ImageBytes(item), h, w, c, cropH, cropW, top, left, flip, _native);
        else CropFlip(_data.ImageFloats(item), h, w, c, cropH, cropW, top, left, flip, _native);

        ReadOnlySpan<float> sized = _native;
        if (cropH != _outH || cropW != _outW)
        {
            BilinearResize.Resize(_native, cropH, cropW, c, _resized, _outH, _outW);
            sized = _resized;
        }

        int pixels = _outH * _outW;
        if (c == 1)
        {
            // One grey channel, normalised at once, then repeated into every channel the model takes.
            var grey = _outC == 1 ? output[..pixels] : _normalised.AsSpan(0, pixels);
            TensorPrimitives.Multiply(sized[..pixels], _scale[0], grey);
            TensorPrimitives.Add(grey, _shift[0], grey);
            if (_outC == 3)
            {
                for (int p = 0; p < pixels; p++)
                {
                    float v = grey[p];
                    output[3 * p] = v;
                    output[3 * p + 1] = v;
                    output[3 * p + 2] = v;
                }
            }
            else if (_outC > 1)
            {
                for (int p = 0; p < pixels; p++) output.Slice(p * _outC, _outC).Fill(grey[p]);
            }
        }
        else
        {
            for (int p = 0; p < pixels; p++)
                for (int k = 0; k < c; k++)
                    output[p * c + k] = sized[p * c + k] * _scale[k] + _shift[k];
        }

        if (rng is not null && _aug.RandomErasingProb > 0) Erase(rng, output);
    }

    private static void CropFlip<T>(ReadOnlySpan<T> src, int h, int w, int c, int cropH, int cropW, int shiftY, int shiftX, bool flip, Span<float> dst)
        where T : unmanaged
    {
        for (int y = 0; y < cropH; y++)
        {
            int sy = y + shiftY;
            var outRow = dst.Slice(y * cropW * c, cropW * c);
            if ((uint)sy >= (uint)h)
            {
                outRow.Clear();
                continue;
            }
            var row = src.Slice(sy * w * c, w * c);
            for (int x = 0; x < cropW; x++)
            {
                int sx = (flip ? cropW - 1 - x : x) + shiftX;
                if ((uint)sx >= (uint)w)
                {
                    outRow.Slice(x * c, c).Clear();
                    continue;
                }
                for (int k = 0; k < c; k++) outRow[x * c + k] = ToFloat(row[sx * c + k]);
            }
        }
    }

    // The JIT keeps one branch per instantiation, so this costs nothing per pixel.
    private static float ToFloat<T>(T value) where T : unmanaged =>
        typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref value) : Unsafe.As<T, float>(ref value);

    // timm RandomErasing(mode="pixel", max_count=1): area 2%–1/3 of the image, log-uniform aspect
    // 0.3–3.3, up to 10 attempts to fit, every erased value (all channels) drawn from N(0, 1).
    private void Erase(Generator rng, Span<float> image)
    {
        if (rng.NextDouble() >= _aug.RandomErasingProb) return;
        double area = _outH * _outW;
        double logLow = Math.Log(0.3), logHigh = Math.Log(1 / 0.3);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = (0.02 + (1.0 / 3 - 0.02) * rng.NextDouble()) * area;
            double aspect = Math.Exp(logLow + (logHigh - logLow) * rng.NextDouble());
            int eh = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int ew = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (ew < _outW && eh < _outH)
            {
                int top = rng.NextInt(_outH - eh + 1), left = rng.NextInt(_outW - ew + 1);
                for (int y = top; y < top + eh; y++)
                    FillNormal(rng, image.Slice((y * _outW + left) * _outC, ew * _outC));
                return;
            }
        }
    }

    // Standard normal values, both outputs of each Box–Muller pair used (half the transcendental work of Generator.FillNormal).
    private static void FillNormal(Generator rng, Span<float> destination)
    {
        int i = 0;
        for (; i + 1 < destination.Length; i += 2)
        {
            double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble()));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * rng.NextDouble());
            destination[i] = (float)(radius * cos);
            destination[i + 1] = (float)(radius * sin);
        }
        if (i < destination.Length) destination[i] = (float)rng.NextGaussian();
    }

    // timm Mixup(mode="batch"): one λ per batch; image i is mixed with image B−1−i (the batch flipped).
    private void Mix(int count, Generator rng, Span<float> images, int[] labels, Span<float> soft)
    {
        float lam = 1f;
        bool cutmix = false;
        if (rng.NextDouble() < _aug.MixProb)
        {
            bool both = _aug.MixupAlpha > 0 && _aug.CutmixAlpha > 0;
            cutmix = both ? rng.NextDouble() < _aug.SwitchProb : _aug.CutmixAlpha > 0;
            lam = (float)BetaDistribution.Sample(rng, cutmix ? _aug.CutmixAlpha : _aug.MixupAlpha, cutmix ? _aug.CutmixAlpha : _aug.MixupAlpha);
        }
        int size = OutputImageSize;
        if (lam < 1f && cutmix)
        {
            // rand_bbox: side √(1−λ) of each dimension centred at a uniform point, clipped; λ then
            // corrected to the area actually kept.
            double ratio = Math.Sqrt(1 - lam);
            int cutH = (int)(_outH * ratio), cutW = (int)(_outW * ratio);
            int cy = rng.NextInt(_outH), cx = rng.NextInt(_outW);
            int yl = Math.Clamp(cy - cutH / 2, 0, _outH), yh = Math.Clamp(cy + cutH / 2, 0, _outH);
            int xl = Math.Clamp(cx - cutW / 2, 0, _outW), xh = Math.Clamp(cx + cutW / 2, 0, _outW);
            int rowLength = (xh - xl) * _outC;
            for (int i = 0; i < count / 2; i++)
            {
                var a = images.Slice(i * size, size);
                var b = images.Slice((count - 1 - i) * size, size);
                for (int y = yl; y < yh; y++)
                {
                    int at = (y * _outW + xl) * _outC;
                    var ra = a.Slice(at, rowLength);
                    var rb = b.Slice(at, rowLength);
                    var tmp = _mixScratch.AsSpan(0, rowLength);
                    ra.CopyTo(tmp);
                    rb.CopyTo(ra);
                    tmp.CopyTo(rb);
                }
            }
            lam = 1f - (float)((yh - yl) * (xh - xl)) / (_outH * _outW);
        }
        else if (lam < 1f)
        {
            float keep = lam, take = 1f - lam;
            var original = _mixScratch.AsSpan(0, size);
            for (int i = 0; i < count / 2; i++)
            {
                var a = images.Slice(i * size, size);
                var b = images.Slice((count - 1 - i) * size, size);
                a.CopyTo(original);
                TensorPrimitives.Multiply(a, keep, a);
                TensorPrimitives.MultiplyAdd(b, take, a, a);          // a = a·λ + b·(1−λ)
                TensorPrimitives.Multiply(b, keep, b);
                TensorPrimitives.MultiplyAdd(original, take, b, b);   // b = b·λ + a·(1−λ)
            }
        }

        // mixup_target: one-hot with smoothing (off = s/K, on = 1 − s + s/K), mixed by λ with the flipped batch's.
        float off = _smoothing / _numClasses, on = 1f - _smoothing + off;
        soft[..(count * _numClasses)].Fill(off * lam + off * (1f - lam));
        for (int i = 0; i < count; i++)
        {
            var row = soft.Slice(i * _numClasses, _numClasses);
            row[labels[i]] += (on - off) * lam;
            row[labels[count - 1 - i]] += (on - off) * (1f - lam);
        }
    }
}
