using FormerSearch.Engine;
using FormerSearch.Data;

namespace FormerSearch.Tests.Data;

public sealed class DatasetSpecTests
{
    [Theory]
    [InlineData("fashion-mnist", DatasetKind.FashionMnist)]
    [InlineData("MNIST", DatasetKind.Mnist)]
    [InlineData("cifar10", DatasetKind.Cifar10)]
    [InlineData("cifar-100", DatasetKind.Cifar100)]
    public void Parses_the_built_in_names(string text, DatasetKind kind)
    {
        var spec = DatasetSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(spec, DatasetSpec.Parse(spec.ToString()));
    }

    [Fact]
    public void Parses_npy_pairs_and_quadruples()
    {
        var two = DatasetSpec.Parse("npy:x.npy, y.npy");
        Assert.Equal(DatasetKind.Npy, two.Kind);
        Assert.Equal("x.npy", two.NpyTrainImages);
        Assert.Equal("y.npy", two.NpyTrainLabels);
        Assert.Null(two.NpyTestImages);
        var four = DatasetSpec.Parse("npy:a.npy,b.npy,c.npy,d.npy");
        Assert.Equal("c.npy", four.NpyTestImages);
        Assert.Equal("d.npy", four.NpyTestLabels);
        Assert.Equal("npy:a.npy,b.npy,c.npy,d.npy", four.ToString());
    }

    [Fact]
    public void Parses_image_folders_with_and_without_a_test_folder()
    {
        var one = DatasetSpec.Parse("folder:photos");
        Assert.Equal(DatasetKind.Folder, one.Kind);
        Assert.Equal("photos", one.Folder);
        Assert.Null(one.TestFolder);
        var two = DatasetSpec.Parse("FOLDER: a/train , a/val");
        Assert.Equal(("a/train", "a/val"), (two.Folder, two.TestFolder));
        Assert.Equal("folder:a/train,a/val", two.ToString());
        Assert.Equal(two, DatasetSpec.Parse(two.ToString()));
        // An existing folder with a comma in its name is one folder.
        string odd = Path.Combine(Path.GetTempPath(), "former spec, with comma " + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(odd);
        try { Assert.Equal(odd, DatasetSpec.Parse("folder:" + odd).Folder); }
        finally { Directory.Delete(odd); }
    }

    [Theory]
    [InlineData("folder:")]
    [InlineData("folder:a,b,c")]
    [InlineData("imagenet")]
    [InlineData("npy:only.npy")]
    [InlineData("npy:a.npy,,b.npy")]
    [InlineData("npy:a,b,c")]
    public void Bad_specs_are_named_in_the_error(string text)
    {
        var e = Assert.Throws<UserInputException>(() => DatasetSpec.Parse(text));
        Assert.Contains(text, e.Message);
    }
}
