using FormerSearch.Engine;
using System.Diagnostics;
using FormerSearch.Data;
using FormerSearch.Models;
using Xunit.Abstractions;

namespace FormerSearch.Tests.Data;

public sealed class DataLoaderTests(ITestOutputHelper output)
{
    private static readonly Augmentation Everything = new Augmentation { CropPadding = 2, HorizontalFlip = true }.WithTimmRegularisation();

    private static DataLoader Loader(ImageDataset data, Augmentation aug, int batch = 8, ulong seed = 3, int prefetch = 2, ModelInput? input = null, float smoothing = 0.1f, bool dropLast = false) =>
        new(data, batch, shuffle: true, dropLast, aug, input ?? new ModelInput(3, 6, 6), numClasses: 10, seed, smoothing, prefetch);

    private static void AssertSame(Batch a, Batch b)
    {
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Images.Shape.ToArray(), b.Images.Shape.ToArray());
        Assert.True(a.Images.ToArray().AsSpan().SequenceEqual(b.Images.ToArray()), $"images of batch {a.Index} differ");
        Assert.Equal(a.SoftTargets is null, b.SoftTargets is null);
        if (a.SoftTargets is not null) Assert.True(a.SoftTargets.ToArray().AsSpan().SequenceEqual(b.SoftTargets!.ToArray()));
    }

    [Fact]
    public void A_batch_depends_only_on_seed_epoch_and_index()
    {
        var data = HoldOutTests.Synthetic(50);
        var first = Loader(data, Everything);
        var second = Loader(data, Everything, prefetch: 0);
        for (int e = 0; e < 3; e++)
            for (int i = 0; i < first.BatchesPerEpoch; i++)
                AssertSame(first.GetBatch(e, i), second.GetBatch(e, i));
        Assert.False(first.GetBatch(0, 0).Images.ToArray().AsSpan().SequenceEqual(first.GetBatch(1, 0).Images.ToArray()));
        Assert.False(first.GetBatch(0, 0).Images.ToArray().AsSpan().SequenceEqual(Loader(data, Everything, seed: 4).GetBatch(0, 0).Images.ToArray()));
    }

    [Fact]
    public void Resuming_mid_epoch_gives_the_batches_of_a_full_pass_with_or_without_prefetch()
    {
        var data = HoldOutTests.Synthetic(45);
        var prefetched = Loader(data, Everything);
        var serial = Loader(data, Everything, prefetch: 0);
        var full = prefetched.Epoch(2).ToList();
        Assert.Equal(6, full.Count);
        Assert.Equal(5, full[^1].Count);                        // 45 = 5·8 + 5: a last partial batch
        Assert.Equal(Enumerable.Range(0, 6), full.Select(b => b.Index));
        var resumed = prefetched.Epoch(2, startBatch: 4).ToList();
        Assert.Equal([4, 5], resumed.Select(b => b.Index));
        AssertSame(full[4], resumed[0]);
        AssertSame(full[5], resumed[1]);
        var serialFull = serial.Epoch(2).ToList();
        for (int i = 0; i < 6; i++) AssertSame(full[i], serialFull[i]);
        Assert.Empty(prefetched.Epoch(2, startBatch: 6));
        // Each epoch visits every image once.
        Assert.Equal(Enumerable.Range(0, 45).Select(i => i % 10).Order(), full.SelectMany(b => b.Labels).Order());
    }

    [Fact]
    public void Stopping_early_and_disposing_batches_is_safe()
    {
        var data = HoldOutTests.Synthetic(200);
        var loader = Loader(data, Augmentation.None);
        var before = loader.GetBatch(0, 1).Images.ToArray();
        foreach (var batch in loader.Epoch(0))
        {
            batch.Dispose();
            batch.Dispose();
            if (batch.Index == 2) break;
        }
        // Recycled buffers are overwritten completely: the same batch again has the same bits.
        using var again = loader.Epoch(0, startBatch: 1).First();
        Assert.Equal(before, again.Images.ToArray());
    }

    [Fact]
    public void Concurrent_epochs_on_a_busy_machine_give_the_same_bits()
    {
        var data = HoldOutTests.Synthetic(96, c: 1, h: 8, w: 8);
        var loader = Loader(data, Everything, input: new ModelInput(3, 12, 12));
        var reference = Loader(data, Everything, prefetch: 0, input: new ModelInput(3, 12, 12)).Epoch(1).Select(b => b.Images.ToArray()).ToList();
        var results = new List<float[]>[4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => results[k] = [.. loader.Epoch(1).Select(b => b.Images.ToArray())]);
        foreach (var run in results)
        {
            Assert.Equal(reference.Count, run.Count);
            for (int i = 0; i < run.Count; i++) Assert.True(reference[i].AsSpan().SequenceEqual(run[i]));
        }
    }

    [Fact]
    public void A_failure_on_the_prefetch_thread_reaches_the_consumer_at_that_batch()
    {
        var data = HoldOutTests.Synthetic(40);
        var loader = new DataLoader(data, 8, shuffle: false, dropLast: false, new Augmentation { MixupAlpha = 1f }, new ModelInput(1, 4, 4), 10, seed: 0);
        data.Labels[30] = 99;   // corrupt the (shared) labels after validation: batch 3 cannot be built
        var seen = new List<int>();
        try
        {
            Assert.ThrowsAny<IndexOutOfRangeException>(() =>
            {
                foreach (var batch in loader.Epoch(0)) seen.Add(batch.Index);
            });
        }
        finally { data.Labels[30] = 0; }
        Assert.Equal([0, 1, 2], seen);
    }

    [Fact]
    public void Drop_last_and_no_shuffle()
    {
        var data = HoldOutTests.Synthetic(20);
        var loader = new DataLoader(data, 8, shuffle: false, dropLast: true, Augmentation.None, new ModelInput(1, 4, 4), 10, seed: 0);
        Assert.Equal(2, loader.BatchesPerEpoch);
        var batches = loader.Epoch(0).ToList();
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i % 10), batches.SelectMany(b => b.Labels));
        Assert.Null(batches[0].SoftTargets);
        var eval = DataLoader.ForEvaluation(data, 8, new ModelInput(1, 4, 4), 10);
        Assert.Equal(3, eval.BatchesPerEpoch);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i % 10), eval.Epoch(0).SelectMany(b => b.Labels));
        Assert.Equal(eval.GetBatch(0, 1).Images.ToArray(), eval.GetBatch(5, 1).Images.ToArray());   // no randomness at all
    }

    [Fact]
    public void Without_augmentation_images_are_normalised_channels_last()
    {
        var data = HoldOutTests.Synthetic(4, c: 3, h: 2, w: 3);
        var loader = new DataLoader(data, 4, shuffle: false, dropLast: false, Augmentation.None, new ModelInput(3, 2, 3), 10, seed: 0);
        var batch = loader.GetBatch(0, 0);
        Assert.Equal([4, 2, 3, 3], batch.Images.Shape.ToArray());
        var values = batch.Images.ToArray();
        for (int i = 0; i < 4; i++)
        {
            var raw = data.ImageBytes(i);
            for (int k = 0; k < raw.Length; k++)
            {
                int c = k % 3;
                float expected = raw[k] * (1f / 255f / data.Std[c]) - data.Mean[c] / data.Std[c];
                Assert.Equal(expected, values[i * 18 + k], 5);
            }
        }
    }

    [Fact]
    public void Grey_images_are_resized_then_repeated_into_three_channels()
    {
        var data = HoldOutTests.Synthetic(2, c: 1, h: 5, w: 5);
        var loader = new DataLoader(data, 2, shuffle: false, dropLast: false, Augmentation.None, new ModelInput(3, 8, 7), 10, seed: 0);
        var images = loader.GetBatch(0, 0).Images.ToArray();
        var raw = data.ImageBytes(1).ToArray().Select(b => (float)b).ToArray();
        var resized = new float[8 * 7];
        BilinearResize.Resize(raw, 5, 5, 1, resized, 8, 7);
        for (int p = 0; p < 56; p++)
            for (int c = 0; c < 3; c++)
                Assert.Equal((resized[p] / 255f - 0.5f) / 0.25f, images[56 * 3 + p * 3 + c], 4);
    }

    [Fact]
    public void Crop_and_flip_produce_exactly_the_torchvision_crops()
    {
        // One 3×3 image with padding 1: every batch is one of the 9 crops, flipped or not, and all 18 appear.
        byte[] pixels = [10, 20, 30, 40, 50, 60, 70, 80, 90];
        var data = ImageDataset.FromBytes("tiny", DatasetKind.Npy, pixels, [0], 1, 3, 3, 1, [0f], [1f / 255f]);   // normalised value = byte
        var aug = new Augmentation { CropPadding = 1, HorizontalFlip = true };
        var loader = new DataLoader(data, 1, shuffle: false, dropLast: false, aug, new ModelInput(1, 3, 3), 1, seed: 5, prefetch: 0);
        var candidates = new List<float[]>();
        for (int dy = 0; dy < 3; dy++)
            for (int dx = 0; dx < 3; dx++)
                foreach (bool flip in new[] { false, true })
                {
                    var crop = new float[9];
                    for (int y = 0; y < 3; y++)
                        for (int x = 0; x < 3; x++)
                        {
                            int cx = flip ? 2 - x : x;                   // flip after cropping
                            int sy = y + dy - 1, sx = cx + dx - 1;       // crop of the zero-padded image
                            crop[y * 3 + x] = sy is >= 0 and < 3 && sx is >= 0 and < 3 ? pixels[sy * 3 + sx] : 0;
                        }
                    candidates.Add(crop);
                }
        var seen = new HashSet<int>();
        for (int e = 0; e < 400; e++)
        {
            var image = loader.GetBatch(e, 0).Images.ToArray();
            int match = candidates.FindIndex(c => c.Zip(image, (a, b) => Math.Abs(a - b) < 1e-3f).All(ok => ok));
            Assert.True(match >= 0, $"epoch {e}: [{string.Join(", ", image)}] is no crop/flip of the image");
            seen.Add(match);
        }
        Assert.Equal(18, seen.Count);
    }

    [Fact]
    public void Mixup_and_cutmix_targets_sum_to_one_and_match_the_images()
    {
        var data = HoldOutTests.Synthetic(64, c: 1, h: 8, w: 8);
        foreach (var aug in new[] { new Augmentation { MixupAlpha = 0.8f }, new Augmentation { CutmixAlpha = 1f }, new Augmentation { MixupAlpha = 0.8f, CutmixAlpha = 1f } })
        {
            var plain = new DataLoader(data, 16, true, false, Augmentation.None, new ModelInput(1, 8, 8), 10, seed: 9, labelSmoothing: 0f, prefetch: 0);
            var mixed = new DataLoader(data, 16, true, false, aug, new ModelInput(1, 8, 8), 10, seed: 9, labelSmoothing: 0.1f, prefetch: 0);
            for (int e = 0; e < 4; e++)
            {
                var p = plain.GetBatch(e, 1);
                var m = mixed.GetBatch(e, 1);
                Assert.Equal(p.Labels, m.Labels);
                var soft = m.SoftTargets!.ToArray();
                Assert.Equal([16, 10], m.SoftTargets.Shape.ToArray());
                var x = p.Images.ToArray();
                var y = m.Images.ToArray();
                for (int i = 0; i < 16; i++)
                {
                    var row = soft.AsSpan(i * 10, 10);
                    float sum = 0;
                    foreach (float v in row) { sum += v; Assert.True(v >= 0.01f - 1e-6f); }
                    Assert.Equal(1f, sum, 5);
                    int j = 15 - i;
                    // λ is read back from the targets, which needs the pair's labels to differ.
                    if (p.Labels[i] == p.Labels[j]) continue;
                    float lam = (row[p.Labels[i]] - 0.01f) / 0.9f;
                    if (aug.CutmixAlpha > 0 && aug.MixupAlpha == 0)
                    {
                        // Cutmix: each pixel comes from i or j; the share from i is λ.
                        int fromI = 0;
                        for (int k = 0; k < 64; k++)
                        {
                            bool a = y[i * 64 + k] == x[i * 64 + k], b = y[i * 64 + k] == x[j * 64 + k];
                            Assert.True(a || b);
                            if (a) fromI++;   // (pixels equal in both count as kept: hence the coarse tolerance)
                        }
                        Assert.Equal(lam, fromI / 64f, 1);
                    }
                    else if (aug.CutmixAlpha == 0)
                    {
                        for (int k = 0; k < 64; k++) Assert.Equal(lam * x[i * 64 + k] + (1 - lam) * x[j * 64 + k], y[i * 64 + k], 3);
                    }
                }
            }
        }
    }

    [Fact]
    public void Random_erasing_fills_one_rectangle_with_noise()
    {
        var data = HoldOutTests.Synthetic(8, c: 3, h: 16, w: 16);
        var input = new ModelInput(3, 16, 16);
        var plain = new DataLoader(data, 8, false, false, Augmentation.None, input, 10, seed: 1, prefetch: 0).GetBatch(0, 0).Images.ToArray();
        var erased = new DataLoader(data, 8, false, false, new Augmentation { RandomErasingProb = 1f }, input, 10, seed: 1, prefetch: 0).GetBatch(0, 0).Images.ToArray();
        for (int i = 0; i < 8; i++)
        {
            int changed = 0, top = 16, bottom = -1, left = 16, right = -1;
            for (int p = 0; p < 256; p++)
                if (plain[(i * 256 + p) * 3] != erased[(i * 256 + p) * 3])
                {
                    changed++;
                    top = Math.Min(top, p / 16); bottom = Math.Max(bottom, p / 16);
                    left = Math.Min(left, p % 16); right = Math.Max(right, p % 16);
                }
            int area = (bottom - top + 1) * (right - left + 1);
            Assert.Equal(area, changed);                                // a solid rectangle
            Assert.InRange(area, (int)(0.02 * 256) - 2, 256 / 3 + 8);  // 2%–33% of the image, up to rounding
        }
    }

    [Fact]
    public void Bad_settings_are_named()
    {
        var grey = HoldOutTests.Synthetic(4);
        var colour = HoldOutTests.Synthetic(4, c: 3);
        Assert.Contains("5", Assert.Throws<UserInputException>(() => new DataLoader(grey, 2, false, false, Augmentation.None, new ModelInput(1, 4, 4), 5, 0)).Message);
        Assert.Contains("3 channels", Assert.Throws<UserInputException>(() => new DataLoader(colour, 2, false, false, Augmentation.None, new ModelInput(1, 4, 4), 10, 0)).Message);
        Assert.Contains("0", Assert.Throws<UserInputException>(() => new DataLoader(grey, 0, false, false, Augmentation.None, new ModelInput(1, 4, 4), 10, 0)).Message);
        Assert.Contains("-1", Assert.Throws<UserInputException>(() => new DataLoader(grey, 2, false, false, new Augmentation { CropPadding = -1 }, new ModelInput(1, 4, 4), 10, 0)).Message);
        var loader = new DataLoader(grey, 2, false, false, Augmentation.None, new ModelInput(1, 4, 4), 10, 0);
        Assert.Throws<ArgumentException>(() => loader.Epoch(0, startBatch: 3));
        Assert.Throws<ArgumentException>(() => loader.GetBatch(0, 2));
    }

    [Fact]
    public void Default_augmentation_per_data_set()
    {
        Assert.Equal(new Augmentation { CropPadding = 2 }, Augmentation.Default(DatasetKind.Mnist, 28));
        Assert.Equal(new Augmentation { CropPadding = 2, HorizontalFlip = true }, Augmentation.Default(DatasetKind.FashionMnist, 28));
        Assert.Equal(new Augmentation { CropPadding = 4, HorizontalFlip = true }, Augmentation.Default(DatasetKind.Cifar10, 32));
        var timm = Augmentation.None.WithTimmRegularisation();
        Assert.Equal((0.8f, 1f, 0.5f, 1f, 0.25f), (timm.MixupAlpha, timm.CutmixAlpha, timm.SwitchProb, timm.MixProb, timm.RandomErasingProb));
    }

    [Fact]
    public void Beta_samples_have_the_right_mean_and_spread()
    {
        var rng = new FormerSearch.Engine.Generator(11);
        foreach (double alpha in new[] { 0.8, 1.0, 2.5 })
        {
            double sum = 0, sumSq = 0;
            const int n = 20000;
            for (int i = 0; i < n; i++)
            {
                double v = BetaDistribution.Sample(rng, alpha, alpha);
                Assert.InRange(v, 0, 1);
                sum += v;
                sumSq += v * v;
            }
            double mean = sum / n, variance = sumSq / n - mean * mean;
            Assert.Equal(0.5, mean, 1);
            Assert.Equal(1 / (4 * (2 * alpha + 1)), variance, 2);   // Var Beta(a, a) = 1 / (4(2a + 1))
        }
    }

    [Fact]
    public void Batch_speed_at_64_pixels_with_augmentation()
    {
        var data = HoldOutTests.Synthetic(2048, c: 1, h: 28, w: 28);
        var aug = new Augmentation { CropPadding = 2, HorizontalFlip = true }.WithTimmRegularisation();
        var loader = new DataLoader(data, 64, true, true, aug, new ModelInput(3, 64, 64), 10, seed: 1, prefetch: 0);
        foreach (var batch in loader.Epoch(0)) batch.Dispose();   // warm (JIT tiers)
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        int batches = 0;
        foreach (var batch in loader.Epoch(1))
        {
            batches++;
            batch.Dispose();
        }
        double ms = clock.Elapsed.TotalMilliseconds / batches;
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / batches;   // robust to a busy machine
        output.WriteLine($"64 images 1x28x28 -> 3x64x64 with crop, flip, erasing, mixup/cutmix: {ms:F2} ms per batch (wall), {cpuMs:F2} ms CPU");
        Assert.True(ms < 200, $"{ms} ms per batch");
    }
}
