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

    [Theory]
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
