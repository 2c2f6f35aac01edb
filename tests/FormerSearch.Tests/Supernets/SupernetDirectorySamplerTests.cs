using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Supernets;
using FormerSearch.Tests.Search;

namespace FormerSearch.Tests.Supernets;

public sealed class SupernetDirectorySamplerTests
{
    [Fact]
    public void The_sampler_is_stored_by_its_name_and_read_back_as_the_kind()
    {
        using var dir = new TempDir();
        var folder = new SupernetDirectory(dir.File("sn"), "glit", "mini", new ModelInput(1, 28, 28), 10, SamplerKind.Sandwich, "fashion-mnist", 100, 5);
        folder.Save();
        Assert.Contains("\"sampler\": \"sandwich\"", File.ReadAllText(Path.Combine(folder.Path, SupernetDirectory.SpaceFile)));
        Assert.Equal(folder, SupernetDirectory.Load(folder.Path));
    }

    [Fact]
    public void Distillation_is_stored_read_back_compared_and_absent_in_older_files_means_off()
    {
        using var dir = new TempDir();
        var plain = new SupernetDirectory(dir.File("sn"), "burger", "mini", new ModelInput(1, 28, 28), 10, SamplerKind.Hybrid, "fashion-mnist", 100, 5);
        var distilled = plain with { Distill = true };
        distilled.Save();
        Assert.Contains("\"distill\": true", File.ReadAllText(Path.Combine(distilled.Path, SupernetDirectory.SpaceFile)));
        Assert.True(SupernetDirectory.Load(distilled.Path).Distill);
        Assert.Equal(distilled, SupernetDirectory.Load(distilled.Path));
        Assert.Equal("--distill yes, not no", distilled.FirstDifference(plain));
        Assert.Equal("--distill no, not yes", plain.FirstDifference(distilled));
        Assert.Null(distilled.FirstDifference(distilled with { Path = dir.File("elsewhere") }));

        string file = Path.Combine(distilled.Path, SupernetDirectory.SpaceFile);
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"distill\": true,", "", StringComparison.Ordinal));
        Assert.False(SupernetDirectory.Load(distilled.Path).Distill);
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"sampler\"", "\"distill\": \"maybe\", \"sampler\"", StringComparison.Ordinal));
        Assert.Contains("distill", Assert.Throws<UserInputException>(() => SupernetDirectory.Load(distilled.Path)).Message);
    }

    [Fact]
    public void Head_split_weights_are_stored_read_back_compared_and_absent_in_older_files_mean_own()
    {
        using var dir = new TempDir();
        var own = new SupernetDirectory(dir.File("sn"), "glit", "mini", new ModelInput(1, 28, 28), 10, SamplerKind.Uniform, "fashion-mnist", 100, 5);
        var shared = own with { HeadSplits = HeadSplitWeights.Shared };
        shared.Save();
        string file = Path.Combine(shared.Path, SupernetDirectory.SpaceFile);
        Assert.Contains("\"head_splits\": \"shared\"", File.ReadAllText(file));
        Assert.Equal(shared, SupernetDirectory.Load(shared.Path));
        Assert.Equal("--head-splits shared, not own", shared.FirstDifference(own));

        File.WriteAllText(file, File.ReadAllText(file).Replace("\"head_splits\": \"shared\",", "", StringComparison.Ordinal));
        Assert.Equal(HeadSplitWeights.Own, SupernetDirectory.Load(shared.Path).HeadSplits);
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"sampler\"", "\"head_splits\": \"some\", \"sampler\"", StringComparison.Ordinal));
        Assert.Contains("head_splits", Assert.Throws<UserInputException>(() => SupernetDirectory.Load(shared.Path)).Message);
        // Shared head splits in a space without head splits: a damaged file, refused when read.
        (own with { Space = "burger", HeadSplits = HeadSplitWeights.Shared }).Save();
        Assert.Contains("head splits", Assert.Throws<UserInputException>(() => SupernetDirectory.Load(shared.Path)).Message);
    }

    [Fact]
    public void A_folder_written_before_samplers_were_kinds_loads_and_a_missing_or_damaged_one_is_an_input_error()
    {
        using var dir = new TempDir();
        string path = dir.File("old");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, SupernetDirectory.SpaceFile),
            """{"space": "burger", "preset": "mini", "input": [1, 28, 28], "num_classes": 10, "sampler": "hybrid", "dataset": "fashion-mnist", "val_size": 10000, "seed": 0}""");
        Assert.Equal(SamplerKind.Hybrid, SupernetDirectory.Load(path).Sampler);

        Assert.Contains(dir.File("none"), Assert.Throws<UserInputException>(() => SupernetDirectory.Load(dir.File("none"))).Message);
        File.WriteAllText(Path.Combine(path, SupernetDirectory.SpaceFile), """{"space": "burger", "preset": "mini", "input": [1, 28, 28], "num_classes": 10, "sampler": "greedy"}""");
        Assert.Contains("greedy", Assert.Throws<UserInputException>(() => SupernetDirectory.Load(path)).Message);
    }
}
