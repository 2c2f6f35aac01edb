using FormerSearch.Engine;
using FormerSearch.Engine.Kernels.Conv;
using static FormerSearch.Engine.Tests.Ops.ConvNormHarness;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// Convolutions large enough to run tile by tile (<see cref="TiledConv"/>): output, input, weight and bias gradients
/// against a double-precision direct convolution, including odd tile remainders, images split across tiles, more
/// images than weight-gradient segments, a prefix view of a wider weight and padding on every side.
/// </summary>
public sealed class TiledConvTests
{
    [Theory]
    // batch, height, width, cin, cout, kernel, stride, padding
    [InlineData(12, 15, 13, 7, 9, 3, 1, 1)]    // the BurgerFormer stem's kind: 3×3, same size
    [InlineData(5, 64, 62, 3, 16, 7, 4, 2)]   // a PoolFormer stem: 7×7 stride 4
    [InlineData(20, 12, 11, 24, 13, 3, 2, 1)] // a downsampling conv, more images than segments
    [InlineData(1, 40, 37, 11, 6, 3, 1, 1)]    // one image, many tiles
    [InlineData(5, 40, 40, 4, 8, 5, 2, 0)]    // no padding, 5×5
    public void MatchesDirectConvolution(int b, int h, int w, int cin, int cout, int k, int stride, int padding)
    {
        var shape = new ConvShape(b, h, w, cin, k, k, stride, stride, padding, padding);
        Assert.True(TiledConv.Suits(shape, cout), "the case must exercise the tiled path");
        var x = Random(1, b * h * w * cin);
        var wt = Random(2, cout * k * k * cin, 0.3f);
        var bias = Random(3, cout);
        var gy = Random(4, shape.OutputPixels * cout);

        var (y, grads) = Run(t => Functional.Conv2d(t[0], t[1], t[2], stride, padding),
            [Leaf(x, true, b, h, w, cin), Leaf(wt, true, cout, k, k, cin), Leaf(bias, true, cout)], gy);

        var reference = DirectConvolution.Compute(shape, cout, x, wt, bias, gy);
        AssertClose(reference.Y, y, "output");
        AssertClose(reference.Gx, grads[0], "input gradient");
        AssertClose(reference.Gw, grads[1], "weight gradient");
        AssertClose(reference.Gb, grads[2], "bias gradient");
    }

    [Fact]
    public void PrefixOfAWiderWeightGetsOnlyItsRowsOfGradient()
    {
        // A supernet slices the first output channels of a shared weight: the view's rows are 12·9·cin floats apart
        // in storage only in the sense of a row stride; the gradient lands in those rows and nowhere else.
        const int b = 6, h = 16, w = 14, cin = 12, cout = 5, wide = 12;
        var shape = new ConvShape(b, h, w, cin, 3, 3, 1, 1, 1, 1);
        Assert.True(TiledConv.Suits(shape, cout));
        var x = Random(5, b * h * w * cin);
        var wt = Random(6, wide * 9 * cin, 0.3f);
        var gy = Random(7, shape.OutputPixels * cout);
        var (y, grads) = Run(t => Functional.Conv2d(t[0], t[1].Narrow(0, 0, cout), null, 1, 1),
            [Leaf(x, true, b, h, w, cin), Leaf(wt, true, wide, 3, 3, cin)], gy);

        var reference = DirectConvolution.Compute(shape, cout, x, wt[..(cout * 9 * cin)], new float[cout], gy);
        AssertClose(reference.Y, y, "output");
        AssertClose(reference.Gx, grads[0], "input gradient");
        AssertClose(reference.Gw, grads[1][..(cout * 9 * cin)], "weight gradient");
        Assert.All(grads[1][(cout * 9 * cin)..], v => Assert.Equal(0f, v));
    }

    [Theory]
    // batch, height, width, cin, cout, kernel, stride, padding: forward passes without gradient
    [InlineData(1, 14, 14, 24, 24, 3, 1, 1)]   // a batch-1 BurgerFormer stem: one tile's worth of columns, tiled without gradient
    [InlineData(1, 2, 2, 96, 192, 3, 2, 1)]    // the last downsampling at batch 1: one output pixel, dot products
    [InlineData(2, 4, 4, 40, 56, 3, 2, 1)]     // 8 output pixels, the most the dot-product path takes
    [InlineData(3, 3, 3, 8, 5, 1, 1, 0)]       // a 1×1 convolution on 9 pixels (the packed GEMM again)
    public void WithoutGradientMatchesDirectConvolution(int b, int h, int w, int cin, int cout, int k, int stride, int padding)
    {
        var shape = new ConvShape(b, h, w, cin, k, k, stride, stride, padding, padding);
        var x = Random(11, b * h * w * cin);
        var wide = Random(12, (cout + 3) * k * k * cin, 0.3f);   // the first cout rows of a wider weight
        var bias = Random(13, cout);
        float[] y;
        using (Engine.Autograd.Tape.NoGrad())
            y = Functional.Conv2d(Leaf(x, false, b, h, w, cin), Leaf(wide, false, cout + 3, k, k, cin).Narrow(0, 0, cout), Leaf(bias, false, cout), stride, padding).ToArray();
        var reference = DirectConvolution.Compute(shape, cout, x, wide[..(cout * k * k * cin)], bias, new float[shape.OutputPixels * cout]);
        AssertClose(reference.Y, y, "output");
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > 1e-5 * scale + 1e-6)
                Assert.Fail($"{what}[{i}]: {actual[i]:G9}, expected {expected[i]:G9} (largest {scale:G4}).");
        }
    }
}
