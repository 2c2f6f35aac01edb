using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Models;
using SkiaSharp;

namespace FormerSearch.Tests.Data.Folders;

/// <summary>
/// Real data: Fashion-MNIST (Debian's dataset-fashion-mnist, which ./test installs) written out as a PNG image folder and read
/// back gives the IDX files' pixels exactly, so training on either sees the same images.
/// </summary>
public sealed class FashionMnistFolderTests
{
    [Fact]
    public void A_png_folder_of_fashion_mnist_reads_back_the_idx_pixels()
    {
        var idx = DatasetCatalog.Open(DatasetSpec.Parse("fashion-mnist"), null, DatasetSplitKind.Test);
        using var tree = new TempTree();
        int written = ImageFolderWriter.Write(idx, tree.PathOf("fm/train"), SKEncodedImageFormat.Png, limit: 2000, threads: 2);
        ImageFolderWriter.Write(idx, tree.PathOf("fm/test"), SKEncodedImageFormat.Png, limit: 10, threads: 2);
        Assert.Equal(2000, written);
        Assert.Equal("0-T-shirt_top", Path.GetFileName(Directory.GetDirectories(tree.PathOf("fm/train")).Order(StringComparer.Ordinal).First()));

        var options = new ImageFolderOptions { Input = new ModelInput(1, 28, 28), CacheDirectory = tree.PathOf("cache"), Threads = 2 };
        var splits = DataSplits.Open(DatasetSpec.Parse($"folder:{tree.PathOf("fm")}"), null, valSize: 0, seed: 0, options);
        var folder = splits.Train;
        Assert.Equal(2000, folder.Count);
        Assert.Equal(idx.ClassNames!.Select((n, i) => $"{i}-{n.Replace('/', '_')}"), folder.ClassNames);
        // File i of the export is image i of the IDX file; the folder lists files by class, then name.
        var listing = ImageFolderListing.Scan(tree.PathOf("fm/train"));
        for (int k = 0; k < folder.Count; k++)
        {
            int i = int.Parse(Path.GetFileNameWithoutExtension(listing.Files[folder.StorageIndex(k)].RelativePath.Split('/')[1]));
            Assert.Equal(idx.Labels[i], folder.Labels[k]);
            Assert.True(idx.ImageBytes(i).SequenceEqual(folder.ImageBytes(k)), $"image {i} differs");
        }
        // The normalisation is computed from the folder's own training pixels: Fashion-MNIST's published figures, near enough.
        Assert.InRange(folder.Mean[0], 0.27f, 0.30f);
        Assert.InRange(folder.Std[0], 0.34f, 0.37f);
        Assert.Equal(10, splits.Test.Count);
    }
}
