using FormerSearch.Engine.Kernels.Softmax;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Kernels;

public sealed class SoftmaxKernelsTests
{
    [Fact]
    public void RowsMatchDoubleReferenceForEveryLength()
    {
        for (int n = 1; n <= 256; n++)
        {
            var x = new float[n];
            var g = new float[n];
            new Generator((ulong)n).FillUniform(x, -20f, 20f);
            new Generator((ulong)(n + 5)).FillUniform(g, -1f, 1f);
            double max = x.Max();
            double sum = x.Sum(v => Math.Exp(v - max));
            double dot = 0;
            var p = x.Select(v => Math.Exp(v - max) / sum).ToArray();
            for (int i = 0; i < n; i++) dot += g[i] * p[i];
            double sumG = g.Sum(v => (double)v);
            foreach (bool log in new[] { false, true })
            {
                var y = new float[n];
                SoftmaxKernels.ForwardRow(log, x, y);
                var dx = new float[n];
                SoftmaxKernels.BackwardRow(log, y, g, dx);
                for (int i = 0; i < n; i++)
                {
                    double ey = log ? x[i] - max - Math.Log(sum) : p[i];
                    double edx = log ? g[i] - p[i] * sumG : p[i] * (g[i] - dot);
                    Assert.True(Math.Abs(ey - y[i]) <= 1e-5 * Math.Max(1, Math.Abs(ey)), $"log={log} n={n} y[{i}]={y[i]} expected {ey}");
                    Assert.True(Math.Abs(edx - dx[i]) <= 1e-5 * Math.Max(1, Math.Abs(edx)), $"log={log} n={n} dx[{i}]={dx[i]} expected {edx}");
                }
            }
        }
    }

    [Fact]
    public void MaskedEntriesAreExactlyZero()
    {
        // n = 64 takes the in-register short-row path, 37 the general one.
        foreach (int n in new[] { 64, 37 })
        {
            var x = new float[n];
            new Generator((ulong)n).FillUniform(x, -3f, 3f);
            for (int i = 1; i < n; i += 3) x[i] = float.NegativeInfinity;
            var y = new float[n];
            SoftmaxKernels.ForwardRow(false, x, y);
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                if (float.IsNegativeInfinity(x[i])) Assert.Equal(0f, y[i]);
                sum += y[i];
            }
            Assert.True(Math.Abs(sum - 1) < 1e-6, $"n={n}: Σ = {sum}");
        }
    }

    [Fact]
    public void EmptyRowIsANoOp()
    {
        SoftmaxKernels.ForwardRow(false, [], []);
        SoftmaxKernels.BackwardRow(true, [], [], []);
    }
}
