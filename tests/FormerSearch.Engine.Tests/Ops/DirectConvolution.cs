using FormerSearch.Engine.Kernels.Conv;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// A one-group channels-last convolution and its gradients written as the definition, in double precision: the
/// reference the engine's GEMM-based convolutions are checked against.
/// </summary>
internal static class DirectConvolution
{
    public sealed record Result(double[] Y, double[] Gx, double[] Gw, double[] Gb);

    /// <summary>Output, and the input, weight (OHWI) and bias gradients for the upstream gradient <paramref name="gy"/>.</summary>
    public static Result Compute(ConvShape s, int cout, float[] x, float[] w, float[] bias, float[] gy)
    {
        int c = s.C;
        var y = new double[s.OutputPixels * cout];
        var gx = new double[x.Length];
        var gw = new double[cout * s.Kh * s.Kw * c];
        var gb = new double[cout];
        for (int b = 0; b < s.B; b++)
        for (int oy = 0; oy < s.Ho; oy++)
        for (int ox = 0; ox < s.Wo; ox++)
        {
            int p = (b * s.Ho + oy) * s.Wo + ox;
            for (int o = 0; o < cout; o++)
            {
                double sum = bias[o], g = gy[p * cout + o];
                gb[o] += g;
                for (int i = 0; i < s.Kh; i++)
                for (int j = 0; j < s.Kw; j++)
                {
                    int iy = oy * s.Sh - s.Ph + i, ix = ox * s.Sw - s.Pw + j;
                    if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                    int xi = ((b * s.H + iy) * s.W + ix) * c, wi = ((o * s.Kh + i) * s.Kw + j) * c;
                    for (int ci = 0; ci < c; ci++)
                    {
                        sum += (double)x[xi + ci] * w[wi + ci];
                        gx[xi + ci] += g * w[wi + ci];
                        gw[wi + ci] += g * x[xi + ci];
                    }
                }
                y[p * cout + o] = sum;
            }
        }
        return new Result(y, gx, gw, gb);
    }
}
