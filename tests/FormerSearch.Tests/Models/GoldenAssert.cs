using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;

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

    /// <summary>The golden file <c>Models/Golden/<paramref name="name"/>.safetensors</c>.</summary>
    public static Dictionary<string, Tensor> Load(string name) =>
        SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Models", "Golden", name + ".safetensors"));

    /// <summary>The entries under <paramref name="prefix"/>, the prefix cut off (an official state dict in a golden file).</summary>
    public static Dictionary<string, Tensor> Section(Dictionary<string, Tensor> golden, string prefix) =>
        golden.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    /// <summary>
    /// Runs <paramref name="model"/> on the golden input (<c>{case}x</c>, else the shared <c>x</c>), compares the logits with <c>{case}y</c>, back-propagates
    /// <c>{case}gy</c> and compares the input gradient with <c>{case}gx</c>; <paramref name="casePrefix"/> is "" or "name.".
    /// </summary>
    public static void ForwardAndInputGradient(VisionModel model, Dictionary<string, Tensor> golden, string casePrefix = "")
    {
        using var _ = TensorScope.Enter();
        var x = (golden.TryGetValue(casePrefix + "x", out var own) ? own : golden["x"]).Clone();
        x.RequiresGrad = true;
        var y = model.Forward(x);
        Close(golden[casePrefix + "y"], y);
        y.Backward(golden[casePrefix + "gy"]);
        Close(golden[casePrefix + "gx"], x.Grad!);
    }
}
