using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Ops;
using FormerSearch.Engine.Tests.Support;
using static FormerSearch.Engine.Tests.Ops.ConvNormHarness;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>
/// The vectorised norm, convolution and pooling kernels (forward and backward) against the naive
/// double-precision <see cref="ConvNormReference"/>, for every channel count 0..256 so that every
/// vector tail is exercised.
/// </summary>
public sealed class ConvNormKernelTests
{
    private const double ForwardTolerance = 2e-5, BackwardTolerance = 1e-4;

    public static IEnumerable<object[]> ChannelCounts()
    {
        for (int c = 0; c <= 256; c++) yield return [c];
    }

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void LayerNormMatchesReference(int c)
    {
        const int rows = 5;
        var x = Random(c, rows * c, 2f, 0.5f);
        var w = Random(c + 1000, c);
        var b = Random(c + 2000, c);
        var gy = Random(c + 3000, rows * c);
        var (y, g) = Run(t => Functional.LayerNorm(t[0], t[1], t[2]), [Leaf(x, true, rows, c), Leaf(w, true, c), Leaf(b, true, c)], gy);
        var r = ConvNormReference.LayerNorm(x, w, b, gy, rows, c);
        TestTensors.AssertClose(r.Y, y, ForwardTolerance, "y");
        TestTensors.AssertClose(r.Gx, g[0], BackwardTolerance, "gx");
        TestTensors.AssertClose(r.Gw, g[1], BackwardTolerance, "gw");
        TestTensors.AssertClose(r.Gb, g[2], BackwardTolerance, "gb");
    }

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void GroupNorm1MatchesReference(int c)
    {
        const int batch = 2, positions = 3;
        var x = Random(c, batch * positions * c, 2f, 0.5f);
        var w = Random(c + 1000, c);
        var b = Random(c + 2000, c);
        var gy = Random(c + 3000, x.Length);
        var (y, g) = Run(t => Functional.GroupNorm1(t[0], t[1], t[2]), [Leaf(x, true, batch, positions, c), Leaf(w, true, c), Leaf(b, true, c)], gy);
        if (c == 0) return;
        var r = ConvNormReference.GroupNorm1(x, w, b, gy, batch, positions, c);
        TestTensors.AssertClose(r.Y, y, ForwardTolerance, "y");
        TestTensors.AssertClose(r.Gx, g[0], BackwardTolerance, "gx");
        TestTensors.AssertClose(r.Gw, g[1], BackwardTolerance, "gw");
        TestTensors.AssertClose(r.Gb, g[2], BackwardTolerance, "gb");
    }

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void BatchNormMatchesReference(int c)
    {
        const int rows = 6;
        foreach (bool training in new[] { true, false })
        {
            var x = Random(c, rows * c, 2f, 0.3f);
            var w = Random(c + 1000, c);
            var b = Random(c + 2000, c);
            var rm = Random(c + 4000, c, 0.1f);
            var rv = Random(c + 5000, c, 0.3f, 1f);
            var gy = Random(c + 3000, x.Length);
            var runMean = Tensor.FromArray((float[])rm.Clone(), c);
            var runVar = Tensor.FromArray((float[])rv.Clone(), c);
            var (y, g) = Run(t => Functional.BatchNorm(t[0], t[1], t[2], runMean, runVar, training),
                [Leaf(x, true, 2, rows / 2, c), Leaf(w, true, c), Leaf(b, true, c)], gy);
            var r = ConvNormReference.BatchNorm(x, w, b, rm, rv, gy, rows, c, training);
            TestTensors.AssertClose(r.Y, y, ForwardTolerance, "y");
            TestTensors.AssertClose(r.Gx, g[0], BackwardTolerance, "gx");
            TestTensors.AssertClose(r.Gw, g[1], BackwardTolerance, "gw");
            TestTensors.AssertClose(r.Gb, g[2], BackwardTolerance, "gb");
            TestTensors.AssertClose(r.NewMean, runMean.ToArray(), 1e-6, "running mean");
            TestTensors.AssertClose(r.NewVar, runVar.ToArray(), 1e-6, "running var");
        }
    }

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void DepthwiseConv2dMatchesReference(int c)
    {
        // 3×3 stride 1 and 3×3 stride 2 with asymmetric padding, on an odd-sized image.
        foreach (var (k, s, p) in new[] { (3, 1, 1), (3, 2, 1), (5, 2, 0) })
        {
            const int batch = 2, h = 5, wd = 6;
            var x = Random(c, batch * h * wd * c);
            var w = Random(c + 1000, c * k * k);
            var b = Random(c + 2000, c);
            int ho = (h + 2 * p - k) / s + 1, wo = (wd + 2 * p - k) / s + 1;
            var gy = Random(c + 3000, batch * ho * wo * c);
            var (y, g) = Run(t => Functional.DepthwiseConv2d(t[0], t[1], t[2], s, p), [Leaf(x, true, batch, h, wd, c), Leaf(w, true, c, k, k), Leaf(b, true, c)], gy);
            // A depthwise weight [C, k, k] is the OHWI weight [C, k, k, 1] of a grouped convolution.
            var r = ConvNormReference.Conv2d(x, w, b, gy, batch, h, wd, c, c, k, k, s, s, p, p, Math.Max(c, 1));
            TestTensors.AssertClose(r.Y, y, ForwardTolerance, "y");
            TestTensors.AssertClose(r.Gx, g[0], BackwardTolerance, "gx");
            TestTensors.AssertClose(r.Gw, g[1], BackwardTolerance, "gw");
            TestTensors.AssertClose(r.Gb, g[2], BackwardTolerance, "gb");
        }
    }

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void AvgPoolMatchesReference(int c)
    {
        foreach (var (k, s, p, include) in new[] { (3, 1, 1, false), (3, 2, 1, true), (2, 2, 0, true) })
        {
            const int batch = 2, h = 5, wd = 4;
            var x = Random(c, batch * h * wd * c);
            int ho = (h + 2 * p - k) / s + 1, wo = (wd + 2 * p - k) / s + 1;
            var gy = Random(c + 3000, batch * ho * wo * c);
            var (y, g) = Run(t => Functional.AvgPool2d(t[0], (k, k), (s, s), (p, p), include), [Leaf(x, true, batch, h, wd, c)], gy);
            var r = ConvNormReference.AvgPool2d(x, gy, batch, h, wd, c, k, k, s, s, p, p, include);
            TestTensors.AssertClose(r.Y, y, ForwardTolerance, "y");
            TestTensors.AssertClose(r.Gx, g[0], BackwardTolerance, "gx");
        }
    }

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void GlobalAvgPoolMatchesReference(int c)
    {
        const int batch = 3, positions = 37;  // more than one reduction chunk
        var x = Random(c, batch * positions * c);
        var gy = Random(c + 3000, batch * c);
        var (y, g) = Run(t => Functional.GlobalAvgPool(t[0]), [Leaf(x, true, batch, positions, c)], gy);
        var ey = new float[batch * c];
        var egx = new float[x.Length];
        for (int n = 0; n < batch; n++)
            for (int ch = 0; ch < c; ch++)
            {
                double sum = 0;
                for (int p = 0; p < positions; p++) sum += x[(n * positions + p) * c + ch];
                ey[n * c + ch] = (float)(sum / positions);
                for (int p = 0; p < positions; p++) egx[(n * positions + p) * c + ch] = gy[n * c + ch] / positions;
            }
        TestTensors.AssertClose(ey, y, ForwardTolerance, "y");
        TestTensors.AssertClose(egx, g[0], BackwardTolerance, "gx");
    }

    public static IEnumerable<object[]> ConvCases()
    {
        // cin, cout, k, stride, padding, groups
        for (int cin = 1; cin <= 40; cin += 3) yield return [cin, cin + 2, 3, 2, 1, 1];
        yield return [6, 8, 3, 1, 1, 2];
        yield return [6, 9, 1, 1, 0, 3];
        yield return [12, 10, 1, 1, 0, 1];
        yield return [3, 16, 7, 4, 2, 1];
        yield return [5, 7, 1, 2, 0, 1];
        yield return [4, 4, 2, 1, 1, 1];
        yield return [8, 8, 3, 1, 1, 8];  // depthwise through Conv2d
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2dMatchesReference(int cin, int cout, int k, int s, int p, int groups)
    {
        const int batch = 2, h = 9, wd = 7;
        var x = Random(cin, batch * h * wd * cin);
        var w = Random(cin + 1000, cout * k * k * (cin / groups));
        var b = Random(cin + 2000, cout);
        int ho = (h + 2 * p - k) / s + 1, wo = (wd + 2 * p - k) / s + 1;
        var gy = Random(cin + 3000, batch * ho * wo * cout);
        var (y, g) = Run(t => Functional.Conv2d(t[0], t[1], t[2], s, p, groups),
            [Leaf(x, true, batch, h, wd, cin), Leaf(w, true, cout, k, k, cin / groups), Leaf(b, true, cout)], gy);
        var r = ConvNormReference.Conv2d(x, w, b, gy, batch, h, wd, cin, cout, k, k, s, s, p, p, groups);
        TestTensors.AssertClose(r.Y, y, ForwardTolerance, "y");
        TestTensors.AssertClose(r.Gx, g[0], BackwardTolerance, "gx");
        TestTensors.AssertClose(r.Gw, g[1], BackwardTolerance, "gw");
        TestTensors.AssertClose(r.Gb, g[2], BackwardTolerance, "gb");
    }
}
