using FormerSearch.Data;
using FormerSearch.Engine.IO;

namespace FormerSearch.Tests.Data;

/// <summary>Against <c>F.interpolate(mode="bilinear", align_corners=False)</c>, vectors from <c>Data/Golden/make_resize.py</c>.</summary>
public sealed class BilinearResizeTests
{
    [Theory]
    [InlineData("up")]
    [InlineData("down")]
    [InlineData("mnist64")]
    [InlineData("onlyw")]
    [InlineData("tiny")]
    public void Matches_torch_interpolate(string name)
    {
        var golden = SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Data", "Golden", "resize.safetensors"));
        var x = golden[name + ".x"];
        var y = golden[name + ".y"];
        var result = new float[y.Numel];
        BilinearResize.Resize(x.ToArray(), x.Size(0), x.Size(1), x.Size(2), result, y.Size(0), y.Size(1));
        var expected = y.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - result[i]) <= 1e-4f, $"{name}[{i}]: {result[i]} vs {expected[i]}");
    }

    [Fact]
    public void Same_size_is_a_copy_and_bad_sizes_are_rejected()
    {
        float[] x = [.. Enumerable.Range(0, 12).Select(i => (float)i)];
        var y = new float[12];
        BilinearResize.Resize(x, 2, 3, 2, y, 2, 3);
        Assert.Equal(x, y);
        Assert.Throws<ArgumentException>(() => BilinearResize.Resize(x, 2, 3, 2, y, 0, 3));
        Assert.Throws<ArgumentException>(() => BilinearResize.Resize(x, 2, 3, 2, new float[5], 2, 3));
    }
}
