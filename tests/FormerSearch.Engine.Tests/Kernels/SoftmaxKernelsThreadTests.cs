using FormerSearch.Engine.Kernels.Softmax;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Kernels;

[Collection(ElementwiseThreadsCollection.Name)]
public sealed class SoftmaxKernelsThreadTests
{
    [Fact]
    public void OneAndTwoThreadsAreBitwiseEqual()
    {
        const int rows = 3000, n = 197;
        var x = TestTensors.Uniform(1, rows * n).ToArray();
        var g = TestTensors.Uniform(2, rows * n).ToArray();
        foreach (bool log in new[] { false, true })
        {
            var (one, two) = ThreadCounts.RunBoth(() =>
            {
                var y = new float[rows * n];
                SoftmaxKernels.Forward(log, x, y, n);
                var dx = new float[rows * n];
                SoftmaxKernels.Backward(log, y, g, dx, n);
                return [.. y, .. dx];
            });
            ThreadCounts.AssertBitwiseEqual(one, two);
        }
    }
}
