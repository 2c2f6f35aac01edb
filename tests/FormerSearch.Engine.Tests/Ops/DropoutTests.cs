using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class DropoutTests
{
    [Fact]
    public void DropoutKeepRateScalingAndGradient()
    {
        const int n = 200_000;
        const float p = 0.3f;
        var x = Tensor.Ones(n);
        x.RequiresGrad = true;
        var y = F.Dropout(x, p, training: true, new Generator(7));
        var v = y.ToArray();
        int kept = v.Count(e => e != 0f);
        float scale = 1f / (1f - p);
        Assert.All(v, e => Assert.True(e == 0f || e == scale));
        // Binomial(n, 0.7): standard deviation ≈ 205; allow 5σ.
        Assert.InRange(kept, (int)(n * 0.7) - 1025, (int)(n * 0.7) + 1025);
        // The gradient is the saved mask.
        y.Backward(Tensor.Ones(n));
        Assert.Equal(v, x.Grad!.ToArray());
    }

    [Fact]
    public void DropoutIsReproducibleFromTheSeedAndIdentityWhenOff()
    {
        var x = TestTensors.Uniform(1, 50, 7);
        Assert.Equal(F.Dropout(x, 0.5f, true, new Generator(3)).ToArray(), F.Dropout(x, 0.5f, true, new Generator(3)).ToArray());
        Assert.NotEqual(F.Dropout(x, 0.5f, true, new Generator(3)).ToArray(), F.Dropout(x, 0.5f, true, new Generator(4)).ToArray());
        Assert.Same(x, F.Dropout(x, 0.5f, training: false, new Generator(3)));
        Assert.Same(x, F.Dropout(x, 0f, training: true, new Generator(3)));
        Assert.All(F.Dropout(x, 1f, true, new Generator(3)).ToArray(), e => Assert.Equal(0f, e));
        Assert.Throws<ArgumentException>(() => F.Dropout(x, 1.5f, true, new Generator(3)));
    }

    [Fact]
    public void GradientsWithAFixedDraw()
    {
        // A fresh generator with one seed per call gives the same mask on every evaluation.
        GradCheck.Check(t => F.Dropout(t[0], 0.4f, true, new Generator(5)), [TestTensors.Uniform(1, true, 6, 7)], tolerance: 2e-3);
        GradCheck.Check(t => F.DropPath(t[0], 0.4f, true, new Generator(6)), [TestTensors.Uniform(2, true, 8, 3, 2)], tolerance: 2e-3);
        GradCheck.Check(t => F.DropPath(t[0], 0.4f, true, new Generator(7)), [TestTensors.Uniform(3, true, 3, 8).Transpose(0, 1)], tolerance: 2e-3);
    }

    [Fact]
    public void DropPathDropsWholeSamples()
    {
        const int batch = 20_000;
        const float p = 0.25f;
        var x = Tensor.Ones(batch, 3, 2);
        x.RequiresGrad = true;
        var y = F.DropPath(x, p, training: true, new Generator(11));
        var v = y.ToArray();
        int kept = 0;
        for (int b = 0; b < batch; b++)
        {
            float first = v[b * 6];
            Assert.True(first == 0f || first == 1f / (1f - p));
            for (int i = 1; i < 6; i++) Assert.Equal(first, v[b * 6 + i]);
            if (first != 0f) kept++;
        }
        // Binomial(20000, 0.75): σ ≈ 61; allow 5σ.
        Assert.InRange(kept, 15000 - 306, 15000 + 306);
        y.Backward(Tensor.Ones(batch, 3, 2));
        Assert.Equal(v, x.Grad!.ToArray());

        var z = TestTensors.Uniform(1, 4, 5);
        Assert.Same(z, F.DropPath(z, 0.5f, training: false, new Generator(1)));
        Assert.Same(z, F.DropPath(z, 0f, training: true, new Generator(1)));
        Assert.Equal(F.DropPath(z, 0.5f, true, new Generator(9)).ToArray(), F.DropPath(z, 0.5f, true, new Generator(9)).ToArray());
    }
}
