using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Kernels;

public sealed class ActivationKernelsTests
{
    internal static readonly ActivationKind[] Kinds = [.. Enum.GetValues<ActivationKind>().Where(ActivationKernels.IsPointwise)];

    /// <summary>Naive double-precision references for f(x) and f'(x).</summary>
    internal static double Forward(ActivationKind kind, double x) => kind switch
    {
        ActivationKind.Relu => Math.Max(x, 0),
        ActivationKind.Relu6 => Math.Min(Math.Max(x, 0), 6),
        ActivationKind.Gelu => x * 0.5 * (1 + Erf.Scalar((float)(x / Math.Sqrt(2)))),
        ActivationKind.Silu => x / (1 + Math.Exp(-x)),
        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-x)),
        _ => Math.Tanh(x),
    };

    internal static double Derivative(ActivationKind kind, double x)
    {
        switch (kind)
        {
            case ActivationKind.Relu: return x > 0 ? 1 : 0;
            case ActivationKind.Relu6: return x > 0 && x < 6 ? 1 : 0;
            case ActivationKind.Gelu:
                return 0.5 * (1 + Erf.Scalar((float)(x / Math.Sqrt(2)))) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
            case ActivationKind.Silu:
                double s = 1 / (1 + Math.Exp(-x));
                return s * (1 + x * (1 - s));
            case ActivationKind.Sigmoid:
                double y = 1 / (1 + Math.Exp(-x));
                return y * (1 - y);
            default:
                double t = Math.Tanh(x);
                return 1 - t * t;
        }
    }

    [Fact]
    public void ForwardAndBackwardMatchReferenceForEveryLength()
    {
        foreach (var kind in Kinds)
        {
            for (int n = 0; n <= 256; n++)
            {
                var x = new float[n];
                var g = new float[n];
                new Generator((ulong)(n + 17)).FillUniform(x, -8f, 8f);
                new Generator((ulong)(n + 99)).FillUniform(g, -1f, 1f);
                var y = new float[n];
                ActivationKernels.ForwardSpan(kind, x, y);
                var dx = new float[n];
                Array.Fill(dx, 0.25f); // the backward accumulates
                var saved = ActivationKernels.BackwardUsesOutput(kind) ? y : x;
                ActivationKernels.BackwardSpan(kind, saved, g, dx);
                for (int i = 0; i < n; i++)
                {
                    double fy = Forward(kind, x[i]);
                    double fdx = 0.25 + g[i] * Derivative(kind, x[i]);
                    Assert.True(Math.Abs(fy - y[i]) <= 2e-6 * Math.Max(1, Math.Abs(fy)), $"{kind} n={n} y({x[i]}) = {y[i]}, expected {fy}");
                    Assert.True(Math.Abs(fdx - dx[i]) <= 4e-6 * Math.Max(1, Math.Abs(fdx)), $"{kind} n={n} dx({x[i]}) = {dx[i]}, expected {fdx}");
                }
            }
        }
    }

    [Fact]
    public void NaNPropagatesThroughForward()
    {
        foreach (var kind in Kinds)
        {
            var x = new float[37];
            x[3] = float.NaN;
            x[20] = float.NaN; // inside the vector part
            var y = new float[37];
            ActivationKernels.ForwardSpan(kind, x, y);
            Assert.True(float.IsNaN(y[3]) && float.IsNaN(y[20]), kind.ToString());
        }
    }

    [Fact]
    public void InPlaceForward()
    {
        foreach (var kind in Kinds)
        {
            var x = TestTensors.Uniform(4, 100).ToArray();
            var expected = new float[100];
            ActivationKernels.ForwardSpan(kind, x, expected);
            ActivationKernels.ForwardSpan(kind, x, x);
            Assert.Equal(expected, x);
        }
    }
}
