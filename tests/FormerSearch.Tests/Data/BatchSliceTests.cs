using FormerSearch.Data;
using FormerSearch.Models;

namespace FormerSearch.Tests.Data;

/// <summary>Data-parallel ranks' parts of each batch: contiguous, balanced, and together exactly the one-process batch.</summary>
public sealed class BatchSliceTests
{
    [Fact]
    public void The_ranks_parts_cover_a_batch_in_rank_order_with_sizes_at_most_one_apart()
    {
        for (int ranks = 1; ranks <= 5; ranks++)
            for (int count = 0; count <= 20; count++)
            {
                int at = 0;
                var sizes = new List<int>();
                for (int rank = 0; rank < ranks; rank++)
                {
                    var (start, end) = new BatchSlice(rank, ranks).Of(count);
                    Assert.Equal(at, start);
                    sizes.Add(end - start);
                    at = end;
                }
                Assert.Equal(count, at);
                Assert.True(sizes.Max() - sizes.Min() <= 1, $"{count} images on {ranks} ranks: {string.Join(",", sizes)}");
            }
        Assert.Equal((8, 15), new BatchSlice(1, 2).Of(15));
    }

    public static TheoryData<string, int> Augmentations => new()
    {
        { "none", 2 }, { "crop, flip, erasing", 2 }, { "crop, flip, erasing", 3 }, { "timm with mixing", 2 }, { "timm with mixing", 3 },
    };

    [Theory]
    [MemberData(nameof(Augmentations))]
    public void The_ranks_parts_of_every_batch_are_the_rows_of_the_one_process_batch(string augmentation, int ranks)
    {
        var aug = augmentation switch
        {
            "none" => Augmentation.None,
            "crop, flip, erasing" => new Augmentation { CropPadding = 2, HorizontalFlip = true, RandomErasingProb = 0.5f },
            _ => new Augmentation { CropPadding = 2, HorizontalFlip = true }.WithTimmRegularisation(),
        };
        var data = HoldOutTests.Synthetic(45); // 5 batches of 8 and a last one of 5
        DataLoader Loader(int prefetch) => new(data, 8, shuffle: true, dropLast: false, aug, new ModelInput(3, 6, 6), numClasses: 10, seed: 7, labelSmoothing: 0.1f, prefetch: prefetch);
        var whole = Loader(0);
        var parts = Enumerable.Range(0, ranks).Select(r => Loader(2).ForRank(r, ranks).Epoch(1).ToList()).ToArray();
        for (int i = 0; i < whole.BatchesPerEpoch; i++)
        {
            using var batch = whole.GetBatch(1, i);
            var images = parts.SelectMany(p => p[i].Images.ToArray()).ToArray();
            Assert.True(batch.Images.ToArray().AsSpan().SequenceEqual(images), $"images of batch {i}");
            Assert.Equal(batch.Labels, parts.SelectMany(p => p[i].Labels));
            if (batch.SoftTargets is not null)
                Assert.True(batch.SoftTargets.ToArray().AsSpan().SequenceEqual(parts.SelectMany(p => p[i].SoftTargets!.ToArray()).ToArray()), $"targets of batch {i}");
        }
        Assert.Equal(whole.BatchesPerEpoch, parts[0].Count);
    }
}
