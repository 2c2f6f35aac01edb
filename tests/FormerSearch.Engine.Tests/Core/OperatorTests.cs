using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Core;

public sealed class OperatorTests
{
    [Fact]
    public void Operators_compute_and_differentiate_like_the_functions()
    {
        var a = TestTensors.Uniform(1, true, 3, 4);
        var b = TestTensors.Uniform(2, true, 4);
        GradCheck.Check(t => (t[0] + t[1]) * t[0] - t[1] / (t[0] * t[0] + 2f) * 0.5f, [a, b]);
        var y = -(2f * a - 1f);
        Assert.Equal(1f - 2f * a[1, 2], y[1, 2], 6);
    }
}
