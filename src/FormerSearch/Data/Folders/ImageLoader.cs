using SkiaSharp;

namespace FormerSearch.Data.Folders;

/// <summary>
/// Reads one image file into the model's input: decodes it with SkiaSharp (JPEG, PNG, BMP, GIF's first frame, WebP),
/// turns it upright as its EXIF orientation says, converts it to the model's channels and applies the evaluation
/// transform (<see cref="CenterCrop"/> with Pillow's antialiased bilinear resampling, <see cref="PilResize"/>). Holds
/// scratch buffers, so each thread uses its own.
/// </summary>
/// <remarks>
/// Channels: a grey source is read as grey (and repeated for three channels); a colour source's alpha is dropped, as
/// torchvision's loader (<c>Image.convert("RGB")</c>) drops it, and for one channel it is turned grey with Pillow's
/// <c>convert("L")</c> weights (ITU-R 601-2 luma, <c>(19595·R + 38470·G + 7471·B + 2¹⁵) ≫ 16</c>). Palette and 16-bit
/// images arrive as 8-bit RGBA from SkiaSharp (16-bit values scaled, where Pillow would clip). Colour profiles are not
/// applied (Pillow does not either). Images larger than <see cref="MaxPixels"/> are decoded at 1/2, 1/4 or 1/8 scale
/// when they are JPEGs (SkiaSharp scales in the DCT, using little memory) and refused otherwise.
/// </remarks>
public sealed class ImageLoader
{
    /// <summary>The default decoding budget: 50 megapixels (200 MB of RGBA), enough for any camera photo.</summary>
    public const long DefaultMaxPixels = 50_000_000;

    // Images above this size share two decoding slots, so many threads cannot each hold a huge image at once.
    private const long LargePixels = 4_000_000;
    private static readonly SemaphoreSlim LargeSlots = new(2);

    private byte[] _decoded = [];
    private byte[] _plain = [];

    /// <summary>A loader for images of <paramref name="channels"/> (1 or 3) × <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">The channel count is not 1 or 3, or a size is not positive.</exception>
    public ImageLoader(int channels, int height, int width, long maxPixels = DefaultMaxPixels)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"Image files decode to 1 or 3 channels, not {channels}.", nameof(channels));
        if (height <= 0 || width <= 0) throw new ArgumentException($"Output size {height}x{width} must be positive.");
        Channels = channels;
        Height = height;
        Width = width;
        MaxPixels = maxPixels;
    }

    /// <summary>Channels of the output (1 grey, 3 RGB).</summary>
    public int Channels { get; }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Largest image decoded at full size, in pixels.</summary>
    public long MaxPixels { get; }

    /// <summary>Bytes of one output image, <c>[Height, Width, Channels]</c>.</summary>
    public int ImageSize => Height * Width * Channels;

    /// <summary>
    /// Decodes <paramref name="path"/> into <paramref name="destination"/> <c>[Height, Width, Channels]</c> and returns null, or
    /// returns why the file cannot be read (a sentence fragment such as "it is truncated"), leaving the destination undefined.
    /// </summary>
    public string? TryLoad(string path, Span<byte> destination)
    {
        if (destination.Length < ImageSize) throw new ArgumentException($"The destination holds {destination.Length} bytes, fewer than one {Height}x{Width}x{Channels} image.", nameof(destination));
        long length;
        try { length = new FileInfo(path).Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"it cannot be read ({e.Message})"; }
        if (length == 0) return "it is empty (0 bytes)";
        using var codec = SKCodec.Create(path, out var created);
        if (codec is null) return Unsupported(path, created);
        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (pixels <= 0) return "it has no pixels";
        int width = info.Width, height = info.Height;
        if (pixels > MaxPixels)
        {
            if (codec.EncodedFormat != SKEncodedImageFormat.Jpeg)
                return $"its {info.Width}x{info.Height} pixels exceed the {MaxPixels / 1_000_000} megapixels decoded at once (only JPEGs are decoded at reduced scale)";
            (width, height) = ReducedJpegSize(codec);
            if ((long)width * height > MaxPixels)
                return $"its {info.Width}x{info.Height} pixels exceed the {MaxPixels / 1_000_000} megapixels decoded at once, even at 1/8 scale";
        }
        bool large = (long)width * height > LargePixels;
        if (large) LargeSlots.Wait();
        try
        {
            bool grey = info.ColorType == SKColorType.Gray8;
            int bytesPerPixel = grey ? 1 : 4;
            var target = new SKImageInfo(width, height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, grey ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
            var decoded = Scratch(ref _decoded, (long)width * height * bytesPerPixel, large);
            SKCodecResult result;
            unsafe
            {
                fixed (byte* p = decoded) result = codec.GetPixels(target, (IntPtr)p);
            }
            if (result == SKCodecResult.IncompleteInput) return "it is truncated";
            if (result != SKCodecResult.Success) return $"SkiaSharp cannot decode it ({result})";

            var origin = codec.EncodedOrigin;
            bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
            int uprightHeight = swap ? width : height, uprightWidth = swap ? height : width;
            ReadOnlySpan<byte> upright;
            if (origin == SKEncodedOrigin.TopLeft && grey && Channels == 1)
            {
                upright = decoded.AsSpan(0, width * height);
            }
            else
            {
                var plain = Scratch(ref _plain, (long)uprightHeight * uprightWidth * Channels, large);
                Upright(decoded, width, height, bytesPerPixel, origin, plain, Channels);
                upright = plain.AsSpan(0, uprightHeight * uprightWidth * Channels);
            }
            var crop = CenterCrop.For(uprightHeight, uprightWidth, Height, Width);
            PilResize.ResizeWindow(upright, uprightHeight, uprightWidth, Channels, crop.ResizedHeight, crop.ResizedWidth,
                crop.Top, crop.Left, Height, Width, destination);
            return null;
        }
        finally
        {
            if (large)
            {
                LargeSlots.Release();
                // A huge buffer is not kept for the next, usually small, image.
                _decoded = [];
                _plain = [];
            }
        }
    }

    // The largest of SkiaSharp's JPEG scales (1/2, 1/4, 1/8) that fits the budget, else 1/8.
    private (int Width, int Height) ReducedJpegSize(SKCodec codec)
    {
        SKSizeI size = default;
        foreach (float scale in new[] { 0.5f, 0.25f, 0.125f })
        {
            size = codec.GetScaledDimensions(scale);
            if ((long)size.Width * size.Height <= MaxPixels) break;
        }
        return (size.Width, size.Height);
    }

    private static byte[] Scratch(ref byte[] buffer, long length, bool large)
    {
        if (length > Array.MaxLength) throw new OutOfMemoryException($"An image of {length} bytes does not fit one array.");
        if (buffer.Length < length) buffer = large ? new byte[length] : new byte[Math.Max(length, 2 * buffer.Length)];
        return buffer;
    }

    private static string Unsupported(string path, SKCodecResult created)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".tif" or ".tiff") return "TIFF is not a format SkiaSharp decodes (convert it to PNG)";
        if (extension is ".ppm" or ".pgm") return "PPM/PGM is not a format SkiaSharp decodes (convert it to PNG)";
        return created switch
        {
            SKCodecResult.IncompleteInput => "it is truncated, or too short to be an image",
            _ => "it is not an image SkiaSharp can decode (corrupt, or not JPEG, PNG, BMP, GIF or WebP)",
        };
    }

    /// <summary>
    /// Copies a decoded image (<paramref name="bytesPerPixel"/> 1 = grey, 4 = RGBA) upright as EXIF orientation
    /// <paramref name="origin"/> says, into <paramref name="channels"/> (1 or 3) channels.
    /// </summary>
    public static void Upright(ReadOnlySpan<byte> decoded, int width, int height, int bytesPerPixel, SKEncodedOrigin origin, Span<byte> output, int channels)
    {
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int outWidth = swap ? height : width, outHeight = swap ? width : height;
        // Where displayed pixel (x, y) is stored (EXIF orientation tags 1–8), as (sx, sy) = (x0 + ax·x + bx·y, y0 + ay·x + by·y);
        // its index sy·width + sx is then start + x·stepX + y·stepY.
        var (x0, ax, bx, y0, ay, by) = origin switch
        {
            SKEncodedOrigin.TopRight => (width - 1, -1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => (width - 1, -1, 0, height - 1, 0, -1),
            SKEncodedOrigin.BottomLeft => (0, 1, 0, height - 1, 0, -1),
            SKEncodedOrigin.LeftTop => (0, 0, 1, 0, 1, 0),
            SKEncodedOrigin.RightTop => (0, 0, 1, height - 1, -1, 0),
            SKEncodedOrigin.RightBottom => (width - 1, 0, -1, height - 1, -1, 0),
            SKEncodedOrigin.LeftBottom => (width - 1, 0, -1, 0, 1, 0),
            _ => (0, 1, 0, 0, 0, 1),
        };
        int start = y0 * width + x0, stepX = ay * width + ax, stepY = by * width + bx;
        for (int y = 0; y < outHeight; y++)
        {
            int at = start + y * stepY;
            var row = output.Slice(y * outWidth * channels, outWidth * channels);
            if (bytesPerPixel == 1)
            {
                for (int x = 0; x < outWidth; x++, at += stepX) row.Slice(x * channels, channels).Fill(decoded[at]);
            }
            else if (channels == 3)
            {
                for (int x = 0; x < outWidth; x++, at += stepX)
                {
                    int p = 4 * at;
                    row[3 * x] = decoded[p];
                    row[3 * x + 1] = decoded[p + 1];
                    row[3 * x + 2] = decoded[p + 2];
                }
            }
            else
            {
                for (int x = 0; x < outWidth; x++, at += stepX)
                {
                    int p = 4 * at;
                    row[x] = Luma(decoded[p], decoded[p + 1], decoded[p + 2]);
                }
            }
        }
    }

    /// <summary>Pillow's RGB → L conversion (<c>L24</c> in Convert.c).</summary>
    public static byte Luma(byte r, byte g, byte b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}
