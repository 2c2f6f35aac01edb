using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Core;

public sealed class ViewTests
{
    [Fact]
    public void Narrow_and_block_share_the_buffer_with_a_leading_dimension()
    {
        var w = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 4);
        var block = w.Block(1, 2, 1, 3);
        Assert.Equal([2, 3], block.Shape.ToArray());
        Assert.Equal([4, 1], block.Strides.ToArray());
        Assert.Equal([5f, 6f, 7f, 9f, 10f, 11f], block.ToArray());
        block[0, 0] = -1f;
        Assert.Equal(-1f, w[1, 1]);
        Assert.False(block.IsContiguous);
        Assert.True(w.Narrow(0, 1, 2).IsContiguous);
    }

    [Fact]
    public void Permute_transpose_and_reshape_follow_pytorch()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 2, 3, 4);
        var p = x.Permute(2, 0, 1);
        Assert.Equal([4, 2, 3], p.Shape.ToArray());
        Assert.Equal(x[1, 2, 3], p[3, 1, 2]);
        var t = x.Transpose(0, 2);
        Assert.Equal(x[1, 0, 2], t[2, 0, 1]);
        var r = p.Reshape(4, -1);
        Assert.Equal([4, 6], r.Shape.ToArray());
        Assert.Equal(p.ToArray(), r.ToArray());
        Assert.Throws<ArgumentException>(() => x.Reshape(5, -1));
        Assert.Throws<ArgumentException>(() => x.Reshape(-1, -1));
    }

    [Fact]
    public void Select_drops_the_dimension()
    {
        var x = TestTensors.Uniform(1, 2, 3, 4);
        var s = x.Select(1, 2);
        Assert.Equal([2, 4], s.Shape.ToArray());
        Assert.Equal(x[1, 2, 3], s[1, 3]);
    }

    [Fact]
    public void Gradient_into_a_view_lands_in_the_parents_region()
    {
        var w = TestTensors.Uniform(2, true, 5, 7);
        var x = TestTensors.Uniform(3, 4, 3);
        var sub = w.Block(1, 2, 2, 3);       // rows 1..2, columns 2..4
        var y = Functional.Linear(x, sub);   // [4, 2]
        y.Backward(Tensor.Ones(4, 2));
        var g = w.Grad!;
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 7; j++)
            {
                bool inside = i is >= 1 and < 3 && j is >= 2 and < 5;
                if (!inside) Assert.Equal(0f, g[i, j]);
                else
                {
                    // d(sum y)/dW[r, c] = sum over rows of x[:, c]
                    float expected = 0;
                    for (int r = 0; r < 4; r++) expected += x[r, j - 2];
                    Assert.Equal(expected, g[i, j], 5);
                }
            }
        }
    }

    [Fact]
    public void Contiguous_of_a_strided_view_scatters_its_gradient_back()
    {
        var x = TestTensors.Uniform(4, true, 3, 5);
        GradCheck.Check(t => t[0].Transpose(0, 1).Contiguous(), [x]);
        GradCheck.Check(t => t[0].Block(1, 2, 1, 3).Contiguous(), [x]);
    }

    [Fact]
    public void A_views_gradient_is_visible_when_it_arrived_through_another_view()
    {
        var big = TestTensors.Uniform(5, true, 4, 6);
        var block = big.Block(1, 2, 1, 3);                       // a view
        var y = Functional.Linear(TestTensors.Uniform(6, 2, 2), block.Transpose(0, 1));   // used only through a further view
        y.Backward(Tensor.Ones(2, 3));
        Assert.NotNull(block.Grad);
        Assert.Equal(big.Grad![1, 1], block.Grad![0, 0]);
        Assert.NotEqual(0f, block.Grad![0, 0]);
    }

    [Fact]
    public void ZeroGrad_of_a_strided_view_clears_exactly_its_elements()
    {
        var big = TestTensors.Uniform(7, true, 3, 4);
        var block = big.Block(0, 2, 1, 2);
        Functional.Linear(Tensor.Ones(1, 4), big).Backward(Tensor.Ones(1, 3));
        block.ZeroGrad();
        var g = big.Grad!;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(i < 2 && j is 1 or 2 ? 0f : 1f, g[i, j]);
    }

    [Fact]
    public void Bad_views_name_the_problem()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Select(0, 2));
        Assert.Throws<ArgumentException>(() => x.Permute(0, 0));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 1, 1, 1, 1, 1, 1));
        Assert.Throws<InvalidOperationException>(() => x.Transpose(0, 1).AsSpan());
    }
}
