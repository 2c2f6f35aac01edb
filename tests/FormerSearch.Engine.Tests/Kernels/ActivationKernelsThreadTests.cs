using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Kernels;

[Collection(ElementwiseThreadsCollection.Name)]
public sealed class ActivationKernelsThreadTests
{
    [Fact]
    public void OneAndTwoThreadsAreBitwiseEqual()
    {
        const int n = 100_003;
        var x = TestTensors.Uniform(1, n).ToArray();
        var g = TestTensors.Uniform(2, n).ToArray();
        foreach (var kind in ActivationKernelsTests.Kinds)
        {
            var (one, two) = ThreadCounts.RunBoth(() =>
            {
                var y = new float[n];
                ActivationKernels.Forward(kind, x, y);
                var dx = new float[n];
                ActivationKernels.Backward(kind, ActivationKernels.BackwardUsesOutput(kind) ? y : x, g, dx);
                return [.. y, .. dx];
            });
            ThreadCounts.AssertBitwiseEqual(one, two);
        }
    }
}
