using System.Buffers.Binary;
using FormerSearch.Data.Folders;
using SkiaSharp;

namespace FormerSearch.Tests.Data.Folders;

/// <summary>Image files written by the tests: PNG, JPEG and WebP through SkiaSharp's encoders, BMP by hand (SkiaSharp has no BMP encoder).</summary>
internal static class TestImages
{
    /// <summary>Encodes <paramref name="pixels"/> (<c>[h, w, c]</c>, c = 1 grey, 3 RGB or 4 RGBA) in <paramref name="format"/>.</summary>
    public static byte[] Encode(byte[] pixels, int h, int w, int c, SKEncodedImageFormat format, int quality = 100) =>
        format == SKEncodedImageFormat.Bmp ? Bmp(pixels, h, w, c) : ImageFolderWriter.Encode(pixels, h, w, c, format, quality);

    /// <summary>A 24-bit bottom-up BMP of an RGB or grey image.</summary>
    public static byte[] Bmp(byte[] pixels, int h, int w, int c)
    {
        int stride = (3 * w + 3) & ~3;
        var bytes = new byte[54 + stride * h];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), stride * h);
        for (int y = 0; y < h; y++)
        {
            int row = 54 + (h - 1 - y) * stride;
            for (int x = 0; x < w; x++)
            {
                int p = (y * w + x) * c;
                byte r = pixels[p], g = c == 1 ? r : pixels[p + 1], b = c == 1 ? r : pixels[p + 2];
                bytes[row + 3 * x] = b;
                bytes[row + 3 * x + 1] = g;
                bytes[row + 3 * x + 2] = r;
            }
        }
        return bytes;
    }

    /// <summary>A JPEG with an EXIF APP1 segment holding orientation <paramref name="orientation"/> (1–8) right after its SOI marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        // "Exif\0\0", a little-endian TIFF header, one IFD with one entry: tag 0x0112 (Orientation), type SHORT, count 1.
        byte[] tiff =
        [
            (byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0,
            1, 0,
            0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte)orientation, 0, 0, 0,
            0, 0, 0, 0,
        ];
        var exif = new List<byte> { (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0 };
        exif.AddRange(tiff);
        int length = exif.Count + 2;
        var segment = new List<byte> { 0xFF, 0xE1, (byte)(length >> 8), (byte)length };
        segment.AddRange(exif);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    /// <summary>A smooth, seeded test picture <c>[h, w, c]</c> (JPEG-friendly: no single-pixel noise).</summary>
    public static byte[] Smooth(int h, int w, int c, int seed = 0)
    {
        var pixels = new byte[h * w * c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < c; k++)
                    pixels[(y * w + x) * c + k] = (byte)(128 + 100 * Math.Sin((x + 2 * seed + 1) * 0.11 * (k + 1)) * Math.Cos((y + seed) * 0.07 + k));
        return pixels;
    }
}
