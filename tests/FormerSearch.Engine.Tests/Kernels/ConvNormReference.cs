namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>
/// Naive scalar references (double precision, plain loops over channels-last arrays) for the norm,
/// convolution and pooling kernels: the algorithmic definition the fast kernels are tested against.
/// Backward functions return the gradients of <c>Σ y ⊙ gy</c>.
/// </summary>
public static class ConvNormReference
{
    /// <summary>LayerNorm over the last axis of <c>[rows, c]</c>.</summary>
    public static (float[] Y, float[] Gx, float[] Gw, float[] Gb) LayerNorm(float[] x, float[] w, float[] b, float[] gy, int rows, int c, double eps = 1e-5)
    {
        var y = new float[rows * c];
        var gx = new float[rows * c];
        var gw = new double[c];
        var gb = new double[c];
        for (int r = 0; r < rows; r++)
            NormalizeGroup(x, gy, w, b, y, gx, gw, gb, r * c, c, 1, c, eps);
        return (y, gx, ToFloat(gw), ToFloat(gb));
    }

    /// <summary>GroupNorm(1, C) on <c>[batch, positions, c]</c>.</summary>
    public static (float[] Y, float[] Gx, float[] Gw, float[] Gb) GroupNorm1(float[] x, float[] w, float[] b, float[] gy, int batch, int positions, int c, double eps = 1e-5)
    {
        var y = new float[x.Length];
        var gx = new float[x.Length];
        var gw = new double[c];
        var gb = new double[c];
        for (int n = 0; n < batch; n++)
            NormalizeGroup(x, gy, w, b, y, gx, gw, gb, n * positions * c, positions * c, 1, c, eps);
        return (y, gx, ToFloat(gw), ToFloat(gb));
    }

    /// <summary>
    /// BatchNorm on <c>[rows, c]</c>: training (batch statistics, updated running stats, full backward)
    /// or evaluation (running statistics as constants).
    /// </summary>
    public static (float[] Y, float[] Gx, float[] Gw, float[] Gb, float[] NewMean, float[] NewVar) BatchNorm(
        float[] x, float[] w, float[] b, float[] runningMean, float[] runningVar, float[] gy, int rows, int c, bool training, double momentum = 0.1, double eps = 1e-5)
    {
        var y = new float[x.Length];
        var gx = new float[x.Length];
        var gw = new double[c];
        var gb = new double[c];
        var newMean = (float[])runningMean.Clone();
        var newVar = (float[])runningVar.Clone();
        for (int ch = 0; ch < c; ch++)
        {
            if (training)
            {
                NormalizeGroup(x, gy, w, b, y, gx, gw, gb, ch, rows, c, c, eps, perChannelAffine: false, channel: ch);
                double mean = 0, ss = 0;
                for (int r = 0; r < rows; r++) mean += x[r * c + ch];
                mean /= rows;
                for (int r = 0; r < rows; r++) ss += (x[r * c + ch] - mean) * (x[r * c + ch] - mean);
                newMean[ch] = (float)((1 - momentum) * runningMean[ch] + momentum * mean);
                newVar[ch] = (float)((1 - momentum) * runningVar[ch] + momentum * ss / (rows - 1));
            }
            else
            {
                double rstd = 1 / Math.Sqrt(runningVar[ch] + eps);
                for (int r = 0; r < rows; r++)
                {
                    int i = r * c + ch;
                    double xh = (x[i] - runningMean[ch]) * rstd;
                    y[i] = (float)(xh * w[ch] + b[ch]);
                    gx[i] = (float)(gy[i] * w[ch] * rstd);
                    gw[ch] += gy[i] * xh;
                    gb[ch] += gy[i];
                }
            }
        }
        return (y, gx, ToFloat(gw), ToFloat(gb), newMean, newVar);
    }

    // Normalises `count` elements at start, start+stride, ... (one statistics group); the affine index is
    // the element's channel (index % c) or the fixed channel for BatchNorm.
    private static void NormalizeGroup(float[] x, float[] gy, float[] w, float[] b, float[] y, float[] gx, double[] gw, double[] gb,
        int start, int count, int stride, int c, double eps, bool perChannelAffine = true, int channel = 0)
    {
        double mean = 0, ss = 0;
        for (int k = 0; k < count; k++) mean += x[start + k * stride];
        mean /= count;
        for (int k = 0; k < count; k++) ss += (x[start + k * stride] - mean) * (x[start + k * stride] - mean);
        double rstd = 1 / Math.Sqrt(ss / count + eps);
        double sumG = 0, sumGx = 0;
        for (int k = 0; k < count; k++)
        {
            int i = start + k * stride;
            int ch = perChannelAffine ? i % c : channel;
            double xh = (x[i] - mean) * rstd;
            y[i] = (float)(xh * w[ch] + b[ch]);
            double g = gy[i] * w[ch];
            sumG += g;
            sumGx += g * xh;
            gw[ch] += gy[i] * xh;
            gb[ch] += gy[i];
        }
        for (int k = 0; k < count; k++)
        {
            int i = start + k * stride;
            int ch = perChannelAffine ? i % c : channel;
            double xh = (x[i] - mean) * rstd;
            gx[i] = (float)(rstd * (gy[i] * w[ch] - sumG / count - xh * sumGx / count));
        }
    }

    /// <summary>Conv2d, channels-last, OHWI weight <c>[cout, kh, kw, cin/groups]</c>; bias may be null.</summary>
    public static (float[] Y, float[] Gx, float[] Gw, float[] Gb) Conv2d(float[] x, float[] w, float[]? bias, float[] gy,
        int batch, int h, int wd, int cin, int cout, int kh, int kw, int sh, int sw, int ph, int pw, int groups)
    {
        int ho = (h + 2 * ph - kh) / sh + 1, wo = (wd + 2 * pw - kw) / sw + 1;
        int cg = cin / groups, og = cout / groups;
        var y = new float[batch * ho * wo * cout];
        var gx = new double[x.Length];
        var gw = new double[w.Length];
        var gb = new double[cout];
        for (int n = 0; n < batch; n++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++)
                    for (int o = 0; o < cout; o++)
                    {
                        int g = o / og;
                        int yi = ((n * ho + oy) * wo + ox) * cout + o;
                        double acc = bias is null ? 0 : bias[o];
                        double go = gy[yi];
                        gb[o] += go;
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++)
                            {
                                int iy = oy * sh - ph + i, ix = ox * sw - pw + j;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                for (int ci = 0; ci < cg; ci++)
                                {
                                    int xi = ((n * h + iy) * wd + ix) * cin + g * cg + ci;
                                    int wi = ((o * kh + i) * kw + j) * cg + ci;
                                    acc += (double)x[xi] * w[wi];
                                    gx[xi] += go * w[wi];
                                    gw[wi] += go * x[xi];
                                }
                            }
                        y[yi] = (float)acc;
                    }
        return (y, ToFloat(gx), ToFloat(gw), ToFloat(gb));
    }

    /// <summary>Average pooling, channels-last, PyTorch's divisor rules.</summary>
    public static (float[] Y, float[] Gx) AvgPool2d(float[] x, float[] gy, int batch, int h, int wd, int c, int kh, int kw, int sh, int sw, int ph, int pw, bool includePad)
    {
        int ho = (h + 2 * ph - kh) / sh + 1, wo = (wd + 2 * pw - kw) / sw + 1;
        var y = new float[batch * ho * wo * c];
        var gx = new double[x.Length];
        for (int n = 0; n < batch; n++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++)
                {
                    int h0 = oy * sh - ph, w0 = ox * sw - pw;
                    int h1 = Math.Min(h0 + kh, h + ph), w1 = Math.Min(w0 + kw, wd + pw);
                    int padded = (h1 - h0) * (w1 - w0);
                    int valid = (Math.Min(h1, h) - Math.Max(h0, 0)) * (Math.Min(w1, wd) - Math.Max(w0, 0));
                    double divisor = includePad ? padded : valid;
                    for (int ch = 0; ch < c; ch++)
                    {
                        int yi = ((n * ho + oy) * wo + ox) * c + ch;
                        double acc = 0;
                        for (int iy = Math.Max(h0, 0); iy < Math.Min(h1, h); iy++)
                            for (int ix = Math.Max(w0, 0); ix < Math.Min(w1, wd); ix++)
                            {
                                int xi = ((n * h + iy) * wd + ix) * c + ch;
                                acc += x[xi];
                                gx[xi] += gy[yi] / divisor;
                            }
                        y[yi] = (float)(acc / divisor);
                    }
                }
        return (y, ToFloat(gx));
    }

    private static float[] ToFloat(double[] v)
    {
        var f = new float[v.Length];
        for (int i = 0; i < v.Length; i++) f[i] = (float)v[i];
        return f;
    }
}
