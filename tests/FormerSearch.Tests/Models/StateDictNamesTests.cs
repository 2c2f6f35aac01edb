using FormerSearch.Models;

namespace FormerSearch.Tests.Models;

/// <summary>State-dict keys and PyTorch-layout shapes equal the official models' (see Fixtures/README.md).</summary>
public sealed class StateDictNamesTests
{
    [Theory]
    [InlineData("poolformer_s12")]
    [InlineData("deit_tiny")]
    [InlineData("metaformer_pppa_s12")]
    [InlineData("metaformer_ppff_s12")]
    public void Keys_and_shapes_equal_the_official_list_in_order(string name)
    {
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Models", "Fixtures", name + ".keys.txt"))
            .Where(l => l.Length > 0).ToArray();
        var model = ModelRegistry.Create(name);
        var actual = model.StateDict(pytorchLayout: true).Select(kv => $"{kv.Key} {string.Join('x', kv.Value.Shape.ToArray())}").ToArray();
        Assert.Equal(expected, actual);
    }
}
