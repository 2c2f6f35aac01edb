using FormerSearch.Data.Folders;
using SkiaSharp;

namespace FormerSearch.Tests.Data.Folders;

/// <summary>Decoding real files written with SkiaSharp (and BMP by hand): formats, channels, EXIF orientation, bad files, huge images.</summary>
public sealed class ImageLoaderTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "png")]
    [InlineData(SKEncodedImageFormat.Bmp, "bmp")]
    [InlineData(SKEncodedImageFormat.Webp, "webp")]
    public void Lossless_formats_give_back_their_pixels(SKEncodedImageFormat format, string extension)
    {
        using var tree = new TempTree();
        var pixels = TestImages.Smooth(12, 10, 3);
        string path = tree.Write("x." + extension, TestImages.Encode(pixels, 12, 10, 3, format));
        var output = new byte[12 * 10 * 3];
        Assert.Null(new ImageLoader(3, 12, 10).TryLoad(path, output));
        if (format == SKEncodedImageFormat.Webp)
            Assert.True(MaxDiff(pixels, output) <= 8, $"WebP at quality 100 is near-lossless: {MaxDiff(pixels, output)}"); // SkiaSharp's quality 100 is lossy WebP
        else
            Assert.Equal(pixels, output);
    }

    [Fact]
    public void Jpeg_and_gif_decode_close_to_their_source()
    {
        using var tree = new TempTree();
        var pixels = TestImages.Smooth(32, 32, 3);
        string jpeg = tree.Write("x.JPG", TestImages.Encode(pixels, 32, 32, 3, SKEncodedImageFormat.Jpeg, 95));
        var output = new byte[32 * 32 * 3];
        Assert.Null(new ImageLoader(3, 32, 32).TryLoad(jpeg, output));
        Assert.True(MaxDiff(pixels, output) < 40, $"JPEG error {MaxDiff(pixels, output)}");
        Assert.True(MeanDiff(pixels, output) < 4, $"JPEG mean error {MeanDiff(pixels, output)}");
    }

    [Fact]
    public void Gif_palette_and_16_bit_files_decode_as_8_bit_images()
    {
        string golden = Path.Combine(AppContext.BaseDirectory, "Data", "Golden");
        var rgb = new byte[8 * 8 * 3];
        foreach (string name in new[] { "two_frames.gif", "palette.png" })
        {
            Assert.Null(new ImageLoader(3, 8, 8).TryLoad(Path.Combine(golden, name), rgb));
            // The first frame: left half red, right half blue (the GIF's second frame is all green).
            Assert.Equal([255, 0, 0], rgb[..3]);
            Assert.Equal([0, 0, 255], rgb[(3 * 7)..(3 * 8)]);
        }
        var grey = new byte[64];
        Assert.Null(new ImageLoader(1, 8, 8).TryLoad(Path.Combine(golden, "grey16.png"), grey));
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (byte)i), grey);
    }

    [Fact]
    public void Grey_and_colour_convert_to_the_model_channels()
    {
        using var tree = new TempTree();
        var grey = TestImages.Smooth(8, 8, 1);
        string greyPath = tree.Write("g.png", TestImages.Encode(grey, 8, 8, 1, SKEncodedImageFormat.Png));
        var rgb = new byte[8 * 8 * 3];
        Assert.Null(new ImageLoader(3, 8, 8).TryLoad(greyPath, rgb));
        for (int p = 0; p < 64; p++) Assert.Equal([grey[p], grey[p], grey[p]], rgb[(3 * p)..(3 * p + 3)]);

        // RGBA: alpha is dropped (torchvision's convert("RGB")), then Pillow's luma for one channel.
        var rgba = TestImages.Smooth(8, 8, 4, seed: 3);
        for (int p = 0; p < 64; p++) rgba[4 * p + 3] = (byte)(p * 4);
        string rgbaPath = tree.Write("a.png", TestImages.Encode(rgba, 8, 8, 4, SKEncodedImageFormat.Png));
        var colour = new byte[8 * 8 * 3];
        var luma = new byte[8 * 8];
        Assert.Null(new ImageLoader(3, 8, 8).TryLoad(rgbaPath, colour));
        Assert.Null(new ImageLoader(1, 8, 8).TryLoad(rgbaPath, luma));
        for (int p = 1; p < 64; p++)
        {
            Assert.Equal([rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]], colour[(3 * p)..(3 * p + 3)]);
            Assert.Equal(ImageLoader.Luma(rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]), luma[p]);
        }
        // Pillow's weights: pure red, green and blue.
        Assert.Equal(76, ImageLoader.Luma(255, 0, 0));
        Assert.Equal(150, ImageLoader.Luma(0, 255, 0));
        Assert.Equal(29, ImageLoader.Luma(0, 0, 255));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Exif_orientation_turns_the_image_upright(int orientation)
    {
        // A 32×16 (h×w) picture with black, red, green and blue quadrants, stored as a camera with that EXIF orientation
        // stores it: the loader must show it upright again.
        int h = 32, w = 16;
        var upright = Quadrants(h, w);
        var stored = Store(upright, h, w, orientation, out int sh, out int sw);
        using var tree = new TempTree();
        string path = tree.Write("o.jpg", TestImages.WithExifOrientation(TestImages.Encode(stored, sh, sw, 3, SKEncodedImageFormat.Jpeg, 100), orientation));
        var output = new byte[h * w * 3];
        Assert.Null(new ImageLoader(3, h, w).TryLoad(path, output));
        foreach (var (y, x) in new[] { (4, 4), (4, 12), (28, 4), (28, 12) })
            for (int k = 0; k < 3; k++)
                Assert.True(Math.Abs(output[(y * w + x) * 3 + k] - upright[(y * w + x) * 3 + k]) < 30, $"orientation {orientation} at ({y}, {x})");
    }

    [Fact]
    public void Bad_files_give_a_reason_instead_of_pixels()
    {
        using var tree = new TempTree();
        var loader = new ImageLoader(3, 8, 8);
        var output = new byte[8 * 8 * 3];
        var png = TestImages.Encode(TestImages.Smooth(40, 40, 3), 40, 40, 3, SKEncodedImageFormat.Png);
        Assert.Equal("it is empty (0 bytes)", loader.TryLoad(tree.Touch("zero.png"), output));
        Assert.Equal("it is truncated", loader.TryLoad(tree.Write("cut.png", png[..(png.Length / 2)]), output));
        Assert.Contains("not an image SkiaSharp can decode", loader.TryLoad(tree.Write("junk.jpg", [.. Enumerable.Range(0, 500).Select(i => (byte)(i * 37))]), output));
        Assert.Contains("TIFF is not a format SkiaSharp decodes", loader.TryLoad(tree.Write("t.tif", [0x49, 0x49, 42, 0, 8, 0, 0, 0, 0, 0]), output));
        Assert.Contains("cannot be read", loader.TryLoad(tree.PathOf("absent.png"), output));
    }

    [Fact]
    public void Images_over_the_budget_are_scaled_down_when_jpeg_and_refused_otherwise()
    {
        using var tree = new TempTree();
        var pixels = TestImages.Smooth(96, 96, 3);
        string png = tree.Write("big.png", TestImages.Encode(pixels, 96, 96, 3, SKEncodedImageFormat.Png));
        string jpeg = tree.Write("big.jpg", TestImages.Encode(pixels, 96, 96, 3, SKEncodedImageFormat.Jpeg, 95));
        var small = new ImageLoader(3, 16, 16, maxPixels: 96 * 96 / 4);   // 96² is over budget; 48² fits
        var output = new byte[16 * 16 * 3];
        Assert.Contains("exceed the 0 megapixels decoded at once (only JPEGs", small.TryLoad(png, output));
        Assert.Null(small.TryLoad(jpeg, output));
        var full = new byte[16 * 16 * 3];
        Assert.Null(new ImageLoader(3, 16, 16).TryLoad(jpeg, full));
        Assert.True(MeanDiff(full, output) < 6, $"half-scale decode differs by {MeanDiff(full, output)} on average");
        Assert.Contains("even at 1/8 scale", new ImageLoader(3, 16, 16, maxPixels: 100).TryLoad(jpeg, output));
    }

    // Black, red, green, blue quadrants of an h×w RGB image.
    private static byte[] Quadrants(int h, int w)
    {
        var pixels = new byte[h * w * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int q = (y >= h / 2 ? 2 : 0) + (x >= w / 2 ? 1 : 0);
                if (q > 0) pixels[(y * w + x) * 3 + q - 1] = 255;
            }
        return pixels;
    }

    // The stored image that displays as `upright` (h×w) under EXIF orientation 1–8, from the standard's wording: where the
    // stored 0th row and 0th column are shown (1: top/left, 2: top/right, 3: bottom/right, 4: bottom/left, 5: left/top,
    // 6: right/top, 7: right/bottom, 8: left/bottom).
    private static byte[] Store(byte[] upright, int h, int w, int orientation, out int sh, out int sw)
    {
        (sh, sw) = orientation >= 5 ? (w, h) : (h, w);
        var (row0, col0) = orientation switch
        {
            1 => ("top", "left"), 2 => ("top", "right"), 3 => ("bottom", "right"), 4 => ("bottom", "left"),
            5 => ("left", "top"), 6 => ("right", "top"), 7 => ("right", "bottom"), _ => ("left", "bottom"),
        };
        var stored = new byte[h * w * 3];
        for (int sy = 0; sy < sh; sy++)
            for (int sx = 0; sx < sw; sx++)
            {
                int x = 0, y = 0;
                switch (row0)
                {
                    case "top": y = sy; break;
                    case "bottom": y = h - 1 - sy; break;
                    case "left": x = sy; break;
                    default: x = w - 1 - sy; break;
                }
                switch (col0)
                {
                    case "left": x = sx; break;
                    case "right": x = w - 1 - sx; break;
                    case "top": y = sx; break;
                    default: y = h - 1 - sx; break;
                }
                for (int k = 0; k < 3; k++) stored[(sy * sw + sx) * 3 + k] = upright[(y * w + x) * 3 + k];
            }
        return stored;
    }

    private static int MaxDiff(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private static double MeanDiff(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
}
