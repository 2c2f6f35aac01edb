using FormerSearch.Engine;

namespace FormerSearch.Tests.Models;

/// <summary>Comparison of float32 results with float64 torch goldens.</summary>
internal static class GoldenAssert
{
    /// <summary>Same shape, and every element within 1e-4 of the largest expected magnitude (plus 1e-6).</summary>
    public static void Close(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        float[] e = expected.ToArray(), a = actual.ToArray();
        float scale = 0;
        foreach (float v in e) scale = MathF.Max(scale, MathF.Abs(v));
        for (int i = 0; i < e.Length; i++)
            Assert.True(MathF.Abs(e[i] - a[i]) <= 1e-4f * scale + 1e-6f, $"element {i}: expected {e[i]}, got {a[i]} (scale {scale}).");
    }
}
