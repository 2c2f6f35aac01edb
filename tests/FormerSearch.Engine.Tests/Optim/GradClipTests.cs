using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Optim;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Optim;

/// <summary><c>ClipGradNorm</c> against torch's <c>clip_grad_norm_</c> (Golden/make_optim.py).</summary>
public sealed class GradClipTests
{
    private static readonly string[] Names = ["w", "b", "k"];

    [Theory]
    [InlineData("l2", 1.0, 2.0)]
    [InlineData("l1", 2.0, 1.0)]
    [InlineData("l3", 0.5, 3.0)]
    [InlineData("inf", 0.7, double.PositiveInfinity)]
    [InlineData("noclip", 1e6, 2.0)]
    public void Clip_grad_norm_matches_torch(string tag, double maxNorm, double normType)
    {
        var g = Golden.Load("optim");
        var ps = OptimizerGoldenTests.InitialParameters();
        OptimizerGoldenTests.SetGradients(ps, 0);
        foreach (var p in ps) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad!.AsSpan(), 3f, p.Grad!.AsSpan());
        double total = GradClip.ClipGradNorm(ps, maxNorm, normType);
        Assert.True(Math.Abs(total - g[$"clip_{tag}.total"].Item()) <= 1e-6 * total, $"total {total} vs torch {g[$"clip_{tag}.total"].Item()}");
        for (int i = 0; i < ps.Length; i++)
            TestTensors.AssertClose(g[$"clip_{tag}.{Names[i]}"].ToArray(), ps[i].Grad!.ToArray(), 1e-6, $"{tag} {Names[i]}");
    }

    [Fact]
    public void Parameters_without_gradients_are_ignored_and_non_finite_norms_propagate()
    {
        var a = new Parameter(3);
        var b = new Parameter(2);
        Assert.Equal(0, GradClip.ClipGradNorm([a, b], 1.0));
        a.Value.EnsureGrad().AsSpan().Fill(4f); // norm √48
        Assert.Equal(Math.Sqrt(48), GradClip.ClipGradNorm([a, b], 100.0), 12);
        a.Grad!.AsSpan()[1] = float.NaN;
        Assert.True(double.IsNaN(GradClip.ClipGradNorm([a, b], 1.0)));
        Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([a], 1.0, 0));
    }
}
