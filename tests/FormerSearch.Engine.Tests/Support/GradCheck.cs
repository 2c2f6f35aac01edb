using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Tests.Support;

/// <summary>
/// Checks an op's backward against central finite differences. The scalar probed is
/// <c>L = Σ f(inputs) ⊙ R</c> for a fixed random <c>R</c>, accumulated in double precision so that
/// float rounding of the sum does not drown the difference.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Asserts that for every input with <c>RequiresGrad</c> the analytic gradient of <c>L</c> matches
    /// <c>(L(x+ε) − L(x−ε)) / 2ε</c> element by element, within <paramref name="tolerance"/>
    /// (absolute, or relative to the gradient's magnitude when it exceeds 1).
    /// Inputs may be views; perturbing a view perturbs its base, as it should.
    /// </summary>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-2, double tolerance = 1e-2, int seed = 1234, int maxElementsPerInput = 200)
    {
        Tensor probe;
        float[] r;
        foreach (var x in inputs) x.ZeroGrad();
        {
            var y = f(inputs);
            r = new float[y.Numel];
            new Generator((ulong)seed).FillUniform(r, -1f, 1f);
            probe = Tensor.FromArray(r, y.Shape);
            y.Backward(probe);
        }

        for (int n = 0; n < inputs.Length; n++)
        {
            var x = inputs[n];
            if (!x.RequiresGrad) continue;
            Assert.NotNull(x.Grad);
            var analytic = x.Grad!.ToArray();
            var rng = new Generator((ulong)(seed + n));
            int count = x.Numel;
            int checks = Math.Min(count, maxElementsPerInput);
            for (int c = 0; c < checks; c++)
            {
                int flat = checks == count ? c : rng.NextInt(count);
                var index = Unflatten(flat, x.Shape);
                float saved = x[index];
                x[index] = (float)(saved + eps);
                double plus = Probe(f, inputs, r);
                x[index] = (float)(saved - eps);
                double minus = Probe(f, inputs, r);
                x[index] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic[flat];
                double err = Math.Abs(a - numeric) / Math.Max(1.0, Math.Abs(numeric));
                if (!(err <= tolerance))
                    Assert.Fail($"input {n} {Tensor.FormatShape(x.Shape)} element {flat}: analytic {a:G7}, numeric {numeric:G7} (error {err:G3} > {tolerance:G3}).");
            }
        }
    }

    private static double Probe(Func<Tensor[], Tensor> f, Tensor[] inputs, float[] r)
    {
        using var _ = Tape.NoGrad();
        var y = f(inputs).ToArray();
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += (double)y[i] * r[i];
        return sum;
    }

    private static int[] Unflatten(int flat, ReadOnlySpan<int> shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}
