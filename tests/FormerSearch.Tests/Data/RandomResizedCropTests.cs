using FormerSearch.Data;
using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Tests.Data;

/// <summary>timm's RandomResizedCrop (scale 0.08–1, ratio 3/4–4/3) on stored images, inside the loader.</summary>
public sealed class RandomResizedCropTests
{
    private static readonly Augmentation Crop = new() { RandomResizedCrop = true, HorizontalFlip = true };

    [Fact]
    public void Regions_fit_the_image_with_timm_scale_and_ratio()
    {
        var rng = new Generator(5);
        double smallest = 1, largest = 0;
        for (int i = 0; i < 2000; i++)
        {
            var (top, left, h, w) = Crop.ResizedCropRegion(rng, 40, 50);
            Assert.InRange(top, 0, 40 - h);
            Assert.InRange(left, 0, 50 - w);
            double scale = (double)h * w / (40 * 50), ratio = (double)w / h;
            smallest = Math.Min(smallest, scale);
            largest = Math.Max(largest, scale);
            Assert.InRange(ratio, 0.75 * 0.8, 4.0 / 3 * 1.25); // rounding of small regions moves the ratio a little
        }
        Assert.InRange(smallest, 0.07, 0.12);
        Assert.InRange(largest, 0.9, 1.0);
        // A very wide image falls back to the centre crop of ratio 4/3 when no draw fits.
        var (t, l, fh, fw) = new Augmentation { RandomResizedCrop = true, CropScaleMin = 1f }.ResizedCropRegion(new Generator(1), 10, 100);
        Assert.Equal((0, 43, 10, 13), (t, l, fh, fw));
    }

    [Fact]
    public void The_loader_crops_resizes_back_and_stays_deterministic()
    {
        var data = HoldOutTests.Synthetic(20);
        var loader = new DataLoader(data, 4, shuffle: true, dropLast: false, Crop, new ModelInput(data.Channels, data.Height, data.Width), 10, seed: 9, prefetch: 0);
        var again = new DataLoader(data, 4, shuffle: true, dropLast: false, Crop, new ModelInput(data.Channels, data.Height, data.Width), 10, seed: 9, prefetch: 2);
        var plain = new DataLoader(data, 4, shuffle: true, dropLast: false, Augmentation.None, new ModelInput(data.Channels, data.Height, data.Width), 10, seed: 9, prefetch: 0);
        var a = loader.GetBatch(0, 0).Images.ToArray();
        Assert.Equal(a, again.Epoch(0).First().Images.ToArray());
        Assert.Equal(plain.GetBatch(0, 0).Images.Shape.ToArray(), loader.GetBatch(0, 0).Images.Shape.ToArray());
        Assert.NotEqual(plain.GetBatch(0, 0).Images.ToArray(), a);
        Assert.All(a, v => Assert.True(float.IsFinite(v)));
    }
}
