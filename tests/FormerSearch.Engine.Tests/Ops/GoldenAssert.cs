using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>Comparisons against the elementwise golden file.</summary>
internal static class GoldenAssert
{
    private static Dictionary<string, Tensor>? s_golden;

    public static Dictionary<string, Tensor> Elementwise => s_golden ??= Golden.Load("elementwise");

    /// <summary>A golden tensor as a fresh tensor of ours (optionally requiring a gradient).</summary>
    public static Tensor Get(string name, bool requiresGrad = false)
    {
        var t = Elementwise[name].Clone();
        t.RequiresGrad = requiresGrad;
        return t;
    }

    /// <summary>A golden float tensor holding class indices.</summary>
    public static int[] Indices(string name) => Array.ConvertAll(Elementwise[name].ToArray(), v => (int)v);

    public static void Close(string name, Tensor actual, double tolerance)
    {
        var expected = Elementwise[name];
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        TestTensors.AssertClose(expected.ToArray(), actual.ToArray(), tolerance, name);
    }
}
