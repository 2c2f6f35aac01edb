using FormerSearch.Bench;
using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Models;

namespace FormerSearch.Bench.Tests;

/// <summary><c>former bench data</c>'s measurements on a few images.</summary>
public sealed class DataBenchmarkTests
{
    [Fact]
    public void Synthetic_jpegs_decode_into_a_cache_and_feed_the_loader_and_trainer()
    {
        string dir = Directory.CreateTempSubdirectory("former-bench-data-test-").FullName;
        try
        {
            DataBenchmark.WriteJpegs(Path.Combine(dir, "jpegs"), count: 20, size: 64, seed: 1, threads: 2);
            var listing = ImageFolderListing.Scan(Path.Combine(dir, "jpegs"));
            Assert.Equal(10, listing.Classes.Count);
            Assert.Equal(20, listing.Files.Count);
            double rate = DataBenchmark.DecodeRate(Path.Combine(dir, "jpegs"), new ModelInput(3, 32, 32), Path.Combine(dir, "cache"), threads: 2);
            Assert.True(rate > 0 && double.IsFinite(rate));
            Assert.Single(Directory.GetFiles(Path.Combine(dir, "cache", "images")));

            var (train, _) = ImageFolderData.Open(DatasetSpec.Parse($"folder:{Path.Combine(dir, "jpegs")}"), null,
                new ImageFolderOptions { Input = new ModelInput(3, 32, 32), CacheDirectory = Path.Combine(dir, "cache"), TestSize = 2 }, 0);
            var loader = DataLoader.ForTraining(train, 6, Augmentation.Default(train), new ModelInput(3, 32, 32), 10, seed: 0);
            Assert.True(DataBenchmark.LoaderEpochSeconds(loader) > 0);
            Assert.True(DataBenchmark.TrainingSeconds("poolformer_mini", loader, steps: 2, seed: 0) > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
