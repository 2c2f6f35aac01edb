using System.Diagnostics;
using FormerSearch.Data;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Training;
using SkiaSharp;

namespace FormerSearch.Bench;

/// <summary>
/// What reading image folders costs: the decode-and-cache rate of JPEG photos, and an epoch (of the loader alone, and of
/// training) fed from a folder's decoded cache against the same epoch fed from IDX files.
/// </summary>
public static class DataBenchmark
{
    /// <summary>Writes <paramref name="count"/> synthetic <paramref name="size"/>² RGB JPEGs (quality 90) in 10 class folders: smooth colour fields with fine texture, so they compress and decode like photos.</summary>
    public static void WriteJpegs(string directory, int count, int size, ulong seed, int threads)
    {
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            var rng = new Generator(SeedSequence.Derive(seed, 100, (ulong)i));
            double fx = 0.01 + 0.05 * rng.NextDouble(), fy = 0.01 + 0.05 * rng.NextDouble(), phase = 6.28 * rng.NextDouble();
            var pixels = new byte[size * size * 3];
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    for (int c = 0; c < 3; c++)
                    {
                        double v = 128 + 90 * Math.Sin(fx * x * (c + 1) + phase) * Math.Cos(fy * y + c) + 20 * (rng.NextDouble() - 0.5);
                        pixels[(y * size + x) * 3 + c] = (byte)Math.Clamp(v, 0, 255);
                    }
            string dir = Path.Combine(directory, $"class{i % 10}");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, $"{i:D6}.jpg"), ImageFolderWriter.Encode(pixels, size, size, 3, SKEncodedImageFormat.Jpeg, 90));
        });
    }

    /// <summary>Images per second of decoding <paramref name="folder"/> into a new decoded cache at <paramref name="input"/> on <paramref name="threads"/> threads (the cache directory is emptied first).</summary>
    public static double DecodeRate(string folder, ModelInput input, string cacheDirectory, int threads)
    {
        if (Directory.Exists(cacheDirectory)) Directory.Delete(cacheDirectory, recursive: true);
        int files = ImageFolderListing.Scan(folder).Files.Count;
        var options = new ImageFolderOptions { Input = input, CacheDirectory = cacheDirectory, Threads = threads, TestSize = 1 };
        var clock = Stopwatch.StartNew();
        ImageFolderData.Open(DatasetSpec.Parse($"folder:{folder}"), null, options, seed: 0);
        return files / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Seconds of one epoch of <paramref name="loader"/>'s batches (built and prefetched as training takes them, no model).</summary>
    public static double LoaderEpochSeconds(DataLoader loader)
    {
        var clock = Stopwatch.StartNew();
        long sum = 0;
        foreach (var batch in loader.Epoch(0))
            using (batch) sum += batch.Labels.Length;
        GC.KeepAlive(sum);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Wall seconds of <paramref name="steps"/> training steps of a fresh <paramref name="model"/> (as <c>former train</c> runs them) fed by <paramref name="loader"/>.</summary>
    public static double TrainingSeconds(string model, DataLoader loader, int steps, ulong seed)
    {
        var network = ModelRegistry.Create(model, ModelOptions.For(loader.Input, loader.NumClasses) with { Seed = seed });
        string output = Directory.CreateTempSubdirectory("former-bench-data-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            new Trainer(network, loader, null, new TrainingOptions { Epochs = 1, MaxSteps = steps, WarmupEpochs = 0 }, output).Run();
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
