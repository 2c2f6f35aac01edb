using FormerSearch.Data.Folders;
using FormerSearch.Engine.IO;

namespace FormerSearch.Tests.Data.Folders;

/// <summary>
/// The evaluation transform against torchvision's Resize + CenterCrop on PIL images (vectors from
/// <c>Data/Golden/make_image_folder.py</c>), through the loader's own channel conversion and resampling.
/// </summary>
public sealed class PilResizeTests
{
    [Theory]
    [InlineData("down_rgb")]
    [InlineData("down_tall")]
    [InlineData("same_grey")]
    [InlineData("up_grey")]
    [InlineData("rgb_to_grey")]
    [InlineData("grey_to_rgb")]
    [InlineData("big_down")]
    [InlineData("odd_crop")]
    public void Matches_torchvision_resize_and_center_crop(string name)
    {
        var golden = SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Data", "Golden", "pil_resize.safetensors"));
        var x = golden[name + ".x"];
        var y = golden[name + ".y"];
        int h = x.Size(0), w = x.Size(1), c = x.Size(2), size = y.Size(0), outC = y.Size(2);
        var source = x.ToArray().Select(v => (byte)v).ToArray();
        // The loader's own conversion of channels, then its resampling.
        var converted = new byte[h * w * outC];
        ImageLoader.Upright(c == 1 ? source : Rgba(source), w, h, c == 1 ? 1 : 4, SkiaSharp.SKEncodedOrigin.TopLeft, converted, outC);
        var crop = CenterCrop.For(h, w, size, size);
        var result = new byte[size * size * outC];
        PilResize.ResizeWindow(converted, h, w, outC, crop.ResizedHeight, crop.ResizedWidth, crop.Top, crop.Left, size, size, result);

        var expected = y.ToArray();
        int off = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int diff = Math.Abs(result[i] - (int)expected[i]);
            Assert.True(diff <= 1, $"{name}[{i}]: {result[i]} vs {expected[i]}");
            if (diff != 0) off++;
        }
        // Pillow's arithmetic reproduced exactly: not a single grey level off.
        Assert.Equal(0, off);
        if (name == "same_grey") Assert.Equal(source, result);
    }

    [Fact]
    public void Center_crop_follows_torchvision_sizes()
    {
        Assert.Equal(new CenterCrop(28, 28, 0, 0), CenterCrop.For(28, 28, 28, 28));
        // Shorter side 37 → 28, longer int(28 · 53 / 37) = 40, offset round(12 / 2) = 6.
        Assert.Equal(new CenterCrop(28, 40, 0, 6), CenterCrop.For(37, 53, 28, 28));
        // Offsets round half to even: (29 − 28) / 2 = 0.5 → 0; (31 − 28) / 2 = 1.5 → 2.
        Assert.Equal(0, CenterCrop.For(28, 29, 28, 28).Left);
        Assert.Equal(2, CenterCrop.For(28, 31, 28, 28).Left);
        // A non-square output is covered, keeping the aspect: 100×100 → 64×32 scales to 64×64 and crops the width.
        Assert.Equal(new CenterCrop(64, 64, 0, 16), CenterCrop.For(100, 100, 64, 32));
    }

    private static byte[] Rgba(byte[] rgb)
    {
        var rgba = new byte[rgb.Length / 3 * 4];
        for (int p = 0; p < rgb.Length / 3; p++)
        {
            rgba[4 * p] = rgb[3 * p];
            rgba[4 * p + 1] = rgb[3 * p + 1];
            rgba[4 * p + 2] = rgb[3 * p + 2];
            rgba[4 * p + 3] = 255;
        }
        return rgba;
    }
}
