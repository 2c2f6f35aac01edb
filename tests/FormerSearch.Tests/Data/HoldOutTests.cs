using FormerSearch.Data;

namespace FormerSearch.Tests.Data;

public sealed class HoldOutTests
{
    internal static ImageDataset Synthetic(int n, int c = 1, int h = 4, int w = 4, int classes = 10)
    {
        var pixels = new byte[n * c * h * w];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 37 % 251);
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % classes;
        var mean = Enumerable.Repeat(0.5f, c).ToArray();
        var std = Enumerable.Repeat(0.25f, c).ToArray();
        return ImageDataset.FromBytes("synthetic", DatasetKind.Npy, pixels, labels, c, h, w, classes, mean, std);
    }

    [Fact]
    public void Split_is_deterministic_disjoint_complete_and_a_view()
    {
        var data = Synthetic(1000);
        var (train, val) = HoldOut.Split(data, 100, seed: 7);
        var (train2, val2) = HoldOut.Split(data, 100, seed: 7);
        var (_, val3) = HoldOut.Split(data, 100, seed: 8);
        Assert.Equal((900, 100), (train.Count, val.Count));
        int[] Positions(ImageDataset d) => [.. Enumerable.Range(0, d.Count).Select(d.StorageIndex)];
        Assert.Equal(Positions(val), Positions(val2));
        Assert.Equal(Positions(train), Positions(train2));
        Assert.NotEqual(Positions(val), Positions(val3));
        Assert.Empty(Positions(train).Intersect(Positions(val)));
        Assert.Equal(Enumerable.Range(0, 1000), Positions(train).Concat(Positions(val)).Order());
        Assert.True(train.SharesStorageWith(data) && val.SharesStorageWith(data));
        for (int i = 0; i < val.Count; i++)
        {
            Assert.Equal(data.Labels[val.StorageIndex(i)], val.Labels[i]);
            Assert.True(val.ImageBytes(i).SequenceEqual(data.ImageBytes(val.StorageIndex(i))));
        }
        // A split of a split still points at the original pixels.
        var (inner, _) = HoldOut.Split(train, 10, seed: 1);
        for (int i = 0; i < inner.Count; i++) Assert.DoesNotContain(inner.StorageIndex(i), Positions(val));
    }

    [Fact]
    public void Zero_validation_keeps_everything_and_bad_sizes_are_named()
    {
        var data = Synthetic(10);
        var (train, val) = HoldOut.Split(data, 0, seed: 1);
        Assert.Equal((10, 0), (train.Count, val.Count));
        Assert.Contains("10", Assert.Throws<ArgumentException>(() => HoldOut.Split(data, 10, 1)).Message);
        Assert.Contains("-1", Assert.Throws<ArgumentException>(() => HoldOut.Split(data, -1, 1)).Message);
    }
}
