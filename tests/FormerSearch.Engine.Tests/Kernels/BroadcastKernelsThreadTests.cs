using FormerSearch.Engine.Kernels.Reductions;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Kernels;

[Collection(ElementwiseThreadsCollection.Name)]
public sealed class BroadcastKernelsThreadTests
{
    [Fact]
    public void BroadcastBackwardIsIdenticalForOneAndTwoThreads()
    {
        var (one, two) = ThreadCounts.RunBoth(() =>
        {
            var a = TestTensors.Uniform(1, true, 64, 197, 48);
            var b = TestTensors.Uniform(2, true, 1, 197, 48);
            var c = TestTensors.Uniform(3, true, 48);
            var s = TestTensors.Uniform(4, true, 64, 1, 1);
            var y = Functional.Div(Functional.Mul(Functional.Mul(Functional.Add(a, b), c), s), c);
            y.Backward(TestTensors.Uniform(5, 64, 197, 48));
            return [.. a.Grad!.ToArray(), .. b.Grad!.ToArray(), .. c.Grad!.ToArray(), .. s.Grad!.ToArray()];
        });
        ThreadCounts.AssertBitwiseEqual(one, two);
    }

    [Fact]
    public void BinaryAndSumIntoAreIdenticalForOneAndTwoThreads()
    {
        var a = TestTensors.Uniform(1, 64, 197, 48);
        var b = TestTensors.Uniform(2, 1, 197, 48);
        var c = TestTensors.Uniform(3, 48);
        var (one, two) = ThreadCounts.RunBoth(() => Functional.Mul(Functional.Add(a, b), c).ToArray());
        ThreadCounts.AssertBitwiseEqual(one, two);

        int[] srcShape = [64, 197, 48];
        var src = a.ToArray();
        foreach (var dstShape in new[] { new[] { 64, 197, 1 }, new[] { 1, 197, 48 }, new[] { 48 }, new[] { 64, 1, 1 } })
        {
            int n = 1;
            foreach (int s in dstShape) n *= s;
            (one, two) = ThreadCounts.RunBoth(() =>
            {
                var dst = new float[n];
                BroadcastReduce.SumInto(src, srcShape, dst, dstShape);
                return dst;
            });
            ThreadCounts.AssertBitwiseEqual(one, two);
            (one, two) = ThreadCounts.RunBoth(() =>
            {
                var dst = new float[n];
                BroadcastReduce.SumProductInto(src, src, srcShape, dst, dstShape);
                return dst;
            });
            ThreadCounts.AssertBitwiseEqual(one, two);
        }
    }
}
