using FormerSearch.Engine.Tests.Support;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Reductions;

namespace FormerSearch.Engine.Tests.Kernels;

public sealed class BroadcastProductKernelsTests
{
    [Theory]
    [MemberData(nameof(BroadcastKernelsTests.Shapes), MemberType = typeof(BroadcastKernelsTests))]
    public void SumProductIntoAndMultiplyAccumulateMatchNaiveLoops(int[] aShape, int[] bShape)
    {
        Span<int> outShapeBuffer = stackalloc int[Tensor.MaxRank];
        int rank = BroadcastShapes.Broadcast(aShape, bShape, outShapeBuffer, "test");
        int[] shape = outShapeBuffer[..rank].ToArray();
        var x = TestTensors.Uniform(1, shape);
        var y = TestTensors.Uniform(2, shape);
        var product = Functional.Mul(x, y);
        foreach (var dstShape in new[] { aShape, bShape })
        {
            // Σ x⊙y reduced to dstShape, against summing the materialised product.
            var dst = TestTensors.Uniform(3, dstShape);
            var expected = dst.Clone();
            BroadcastReduce.SumInto(product.Elements, shape, expected.Elements, dstShape);
            BroadcastReduce.SumProductInto(x.Elements, y.Elements, shape, dst.Elements, dstShape);
            TestTensors.AssertClose(expected.ToArray(), dst.ToArray(), 1e-5, "SumProductInto");

            // dst (full) += x ⊙ b with b of dstShape broadcast.
            var b = TestTensors.Uniform(4, dstShape);
            var full = TestTensors.Uniform(5, shape);
            var want = Functional.Add(full, Functional.Mul(x, b)).ToArray();
            var layout = BroadcastLayout.Create(shape, x.Shape, x.Strides, b.Shape, b.Strides);
            BroadcastKernels.MultiplyAccumulate(layout, x.Elements, b.Elements, full.Elements);
            TestTensors.AssertClose(want, full.ToArray(), 1e-6, "MultiplyAccumulate");
        }
    }
}
