using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

public sealed class LinearAlgebraTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(17, 2, 9)]
    public void Linear_gradients_match_finite_differences(int rows, int inF, int outF)
    {
        var x = TestTensors.Uniform(1, true, rows, inF);
        var w = TestTensors.Uniform(2, true, outF, inF);
        var b = TestTensors.Uniform(3, true, outF);
        GradCheck.Check(t => Functional.Linear(t[0], t[1], t[2]), [x, w, b]);
        GradCheck.Check(t => Functional.Linear(t[0], t[1]), [x, w]);
    }

    [Fact]
    public void Linear_on_entangled_weight_slices_and_3d_input()
    {
        var x = TestTensors.Uniform(1, true, 2, 3, 4);
        var wBig = TestTensors.Uniform(2, true, 9, 11);
        var bBig = TestTensors.Uniform(3, true, 9);
        GradCheck.Check(t => Functional.Linear(t[0], t[1].Block(5, 4), t[2].Narrow(0, 0, 5)), [x, wBig, bBig]);
    }

    [Fact]
    public void Linear_matches_a_direct_computation()
    {
        var x = TestTensors.Uniform(1, 3, 4);
        var w = TestTensors.Uniform(2, 2, 4);
        var b = TestTensors.Uniform(3, 2);
        var y = Functional.Linear(x, w, b);
        for (int i = 0; i < 3; i++)
            for (int o = 0; o < 2; o++)
            {
                double s = b[o];
                for (int k = 0; k < 4; k++) s += x[i, k] * w[o, k];
                Assert.Equal(s, y[i, o], 5);
            }
    }

    [Fact]
    public void MatMul_batched_with_transposed_views()
    {
        var q = TestTensors.Uniform(1, true, 2, 3, 5, 4);   // [B, heads, N, d]
        var k = TestTensors.Uniform(2, true, 2, 3, 5, 4);
        GradCheck.Check(t => Functional.MatMul(t[0], t[1].Transpose(-2, -1)), [q, k]);
        var a = TestTensors.Uniform(3, true, 2, 6, 3);
        var m = TestTensors.Uniform(4, true, 3, 7);
        GradCheck.Check(t => Functional.MatMul(t[0], t[1]), [a, m]);
        GradCheck.Check(t => Functional.MatMul(t[0].Transpose(0, 1), t[1].Transpose(0, 1)), [m, TestTensors.Uniform(5, true, 4, 3)]);
    }

    [Fact]
    public void MatMul_of_a_permuted_strided_view()
    {
        // [B, N, heads, d] permuted to [B, heads, N, d]: the last two dims are not unit-stride rows.
        var x = TestTensors.Uniform(6, true, 2, 5, 3, 4);
        var v = TestTensors.Uniform(7, true, 2, 3, 4, 2);
        GradCheck.Check(t => Functional.MatMul(t[0].Permute(0, 2, 1, 3), t[1]), [x, v]);
    }

    [Fact]
    public void MatMul_rejects_mismatched_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 2)));
        Assert.Contains("inner sizes", e.Message);
    }
}
