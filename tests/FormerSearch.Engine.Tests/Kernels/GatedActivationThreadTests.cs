using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>GLU, StarReLU and long same-shape binary ops split into segments over threads: same bits for 1 and 2 threads.</summary>
[Collection(ElementwiseThreadsCollection.Name)]
public sealed class GatedActivationThreadTests
{
    [Fact]
    public void GluIsIdenticalForOneAndTwoThreads()
    {
        foreach (var (shape, dim) in new[] { (new[] { 3, 40000 }, -1), (new[] { 50, 2, 37 }, 1), (new[] { 2, 9000, 3 }, 1) })
        {
            var (one, two) = ThreadCounts.RunBoth(() =>
            {
                var x = TestTensors.Uniform(1, true, shape);
                var y = Functional.Glu(x, dim);
                y.Backward(TestTensors.Uniform(2, y.Shape.ToArray()));
                return [.. y.ToArray(), .. x.Grad!.ToArray()];
            });
            ThreadCounts.AssertBitwiseEqual(one, two);
        }
    }

    [Fact]
    public void StarReluIsIdenticalForOneAndTwoThreads()
    {
        var (one, two) = ThreadCounts.RunBoth(() =>
        {
            var x = TestTensors.Uniform(1, true, 7, 33333);
            var s = TestTensors.Uniform(2, true, 1);
            var b = TestTensors.Uniform(3, true, 1);
            var y = Functional.StarRelu(x, s, b);
            y.Backward(TestTensors.Uniform(4, 7, 33333));
            return [.. y.ToArray(), .. x.Grad!.ToArray(), .. s.Grad!.ToArray(), .. b.Grad!.ToArray()];
        });
        ThreadCounts.AssertBitwiseEqual(one, two);
    }

    [Fact]
    public void LongSameShapeBinaryOpsAreIdenticalForOneAndTwoThreads()
    {
        var (one, two) = ThreadCounts.RunBoth(() =>
        {
            var a = TestTensors.Uniform(1, true, 100003);
            var b = TestTensors.Uniform(2, true, 100003);
            var y = Functional.Div(Functional.Mul(Functional.Add(a, b), a), Functional.Add(b, 3f));
            y.Backward(TestTensors.Uniform(3, 100003));
            return [.. y.ToArray(), .. a.Grad!.ToArray(), .. b.Grad!.ToArray()];
        });
        ThreadCounts.AssertBitwiseEqual(one, two);
    }
}
