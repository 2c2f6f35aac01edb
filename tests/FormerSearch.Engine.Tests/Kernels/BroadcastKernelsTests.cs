using FormerSearch.Engine.Tests.Support;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Reductions;

namespace FormerSearch.Engine.Tests.Kernels;

public sealed class BroadcastKernelsTests
{
    private static readonly BinaryOp[] s_ops = [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div];

    /// <summary>Naive reference: index every output element and read each operand through its broadcast index.</summary>
    private static float[] ReferenceBinary(BinaryOp op, float[] a, int[] aShape, float[] b, int[] bShape, int[] outShape)
    {
        int n = 1;
        foreach (int s in outShape) n *= s;
        var result = new float[n];
        var index = new int[outShape.Length];
        for (int i = 0; i < n; i++)
        {
            int rem = i;
            for (int d = outShape.Length - 1; d >= 0; d--) { index[d] = rem % outShape[d]; rem /= outShape[d]; }
            result[i] = BroadcastKernels.Apply(op, a[Flat(index, aShape)], b[Flat(index, bShape)]);
        }
        return result;
    }

    private static int Flat(int[] outIndex, int[] shape)
    {
        int lead = outIndex.Length - shape.Length, flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : outIndex[lead + d]);
        return flat;
    }

    private static float[] Random(int seed, int n, float low = -1f, float high = 1f)
    {
        var v = new float[n];
        new Generator((ulong)seed).FillUniform(v, low, high);
        return v;
    }

    private static int Numel(int[] shape)
    {
        int n = 1;
        foreach (int s in shape) n *= s;
        return n;
    }

    private static float[] RunBinary(BinaryOp op, float[] a, int[] aShape, float[] b, int[] bShape)
    {
        var ta = Tensor.FromArray(a, aShape);
        var tb = Tensor.FromArray(b, bShape);
        Span<int> outShape = stackalloc int[Tensor.MaxRank];
        int rank = BroadcastShapes.Broadcast(aShape, bShape, outShape, "test");
        var output = Tensor.Zeros(outShape[..rank]);
        var layout = BroadcastLayout.Create(output.Shape, ta.Shape, ta.Strides, tb.Shape, tb.Strides);
        BroadcastKernels.Binary(op, layout, a, b, output.Elements);
        return output.ToArray();
    }

    public static TheoryData<int[], int[]> Shapes => new()
    {
        { new[] { 3, 5 }, new[] { 3, 5 } },
        { new[] { 2, 7, 5 }, new[] { 5 } },            // per-channel
        { new[] { 4, 6, 5 }, new[] { 1, 6, 5 } },      // position embedding
        { new[] { 3, 4, 2, 5 }, new[] { 3, 1, 1, 1 } },// per-sample
        { new[] { 1, 5 }, new[] { 4, 1 } },            // outer product
        { new[] { 3, 1, 5 }, new[] { 1, 4, 1 } },
        { new[] { 5 }, new int[0] },                  // scalar
        { new int[0], new[] { 2, 3 } },
        { new[] { 2, 0, 3 }, new[] { 3 } },           // empty
        { new[] { 2, 3, 1, 5, 1, 3 }, new[] { 3, 5, 1, 3 } },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BinaryMatchesReference(int[] aShape, int[] bShape)
    {
        var a = Random(1, Numel(aShape));
        var b = Random(2, Numel(bShape), 0.5f, 2f);
        Span<int> outShape = stackalloc int[Tensor.MaxRank];
        int rank = BroadcastShapes.Broadcast(aShape, bShape, outShape, "test");
        foreach (var op in s_ops)
        {
            var expected = ReferenceBinary(op, a, aShape, b, bShape, outShape[..rank].ToArray());
            Assert.Equal(expected, RunBinary(op, a, aShape, b, bShape));
            // And with the operands swapped (scalar-first rows).
            var swapped = ReferenceBinary(op, b, bShape, a, aShape, outShape[..rank].ToArray());
            Assert.Equal(swapped, RunBinary(op, b, bShape, a, aShape));
        }
    }

    [Fact]
    public void RowMatchesScalarForEveryLength()
    {
        for (int n = 0; n <= 256; n++)
        {
            var a = Random(n, n);
            var b = Random(n + 1000, n, 0.5f, 2f);
            foreach (var op in s_ops)
            {
                foreach (var (sa, sb) in new[] { (1, 1), (1, 0), (0, 1) })
                {
                    var dst = new float[n];
                    var aa = sa == 0 ? a.AsSpan(0, Math.Min(n, 1)) : a;
                    var bb = sb == 0 ? b.AsSpan(0, Math.Min(n, 1)) : b;
                    BroadcastKernels.Row(op, aa, sa, bb, sb, dst);
                    for (int i = 0; i < n; i++)
                        Assert.Equal(BroadcastKernels.Apply(op, aa[sa * i], bb[sb * i]), dst[i]);
                }
            }
        }
    }

    [Fact]
    public void RowInPlaceAndNaN()
    {
        var a = Random(3, 100);
        a[17] = float.NaN;
        var b = Random(4, 100);
        var expected = new float[100];
        for (int i = 0; i < 100; i++) expected[i] = a[i] * b[i];
        BroadcastKernels.Row(BinaryOp.Mul, a, 1, b, 1, a);
        Assert.Equal(expected, a);
        Assert.True(float.IsNaN(a[17]));
    }

    /// <summary>Naive sum-to-shape in double.</summary>
    private static double[] ReferenceSum(float[] src, int[] srcShape, int[] dstShape)
    {
        var result = new double[Numel(dstShape)];
        var index = new int[srcShape.Length];
        for (int i = 0; i < src.Length; i++)
        {
            int rem = i;
            for (int d = srcShape.Length - 1; d >= 0; d--) { index[d] = rem % srcShape[d]; rem /= srcShape[d]; }
            result[Flat(index, dstShape)] += src[i];
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SumIntoMatchesReference(int[] aShape, int[] bShape)
    {
        Span<int> outShape = stackalloc int[Tensor.MaxRank];
        int rank = BroadcastShapes.Broadcast(aShape, bShape, outShape, "test");
        int[] srcShape = outShape[..rank].ToArray();
        var src = Random(5, Numel(srcShape));
        foreach (var dstShape in new[] { aShape, bShape })
        {
            var dst = Random(6, Numel(dstShape));
            var before = (float[])dst.Clone();
            BroadcastReduce.SumInto(src, srcShape, dst, dstShape);
            var expected = ReferenceSum(src, srcShape, dstShape);
            for (int i = 0; i < dst.Length; i++)
                Assert.True(Math.Abs(before[i] + expected[i] - dst[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"element {i}: {before[i] + expected[i]} vs {dst[i]}");
        }
    }
}
