using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>Linear and MatMul, forward and backward, against PyTorch (Golden/make_linalg.py).</summary>
public sealed class LinearAlgebraGoldenTests
{
    private const double Tolerance = 1e-5;
    private static readonly Dictionary<string, Tensor> s_golden = Golden.Load("linalg");

    private static Tensor Leaf(string name)
    {
        var t = s_golden[name].Clone();
        t.RequiresGrad = true;
        return t;
    }

    private static void Close(string name, Tensor actual) =>
        TestTensors.AssertClose(s_golden[name].ToArray(), actual.ToArray(), Tolerance, name);

    [Fact]
    public void Linear_with_bias()
    {
        var (x, w, b) = (Leaf("linear.x"), Leaf("linear.w"), Leaf("linear.b"));
        var y = Functional.Linear(x, w, b);
        Close("linear.y", y);
        y.Backward(s_golden["linear.gy"]);
        Close("linear.gx", x.Grad!);
        Close("linear.gw", w.Grad!);
        Close("linear.gb", b.Grad!);
    }

    [Fact]
    public void Linear_on_a_sub_block_of_a_larger_weight()
    {
        var (big, x) = (Leaf("linear_block.w_big"), Leaf("linear_block.x"));
        var y = Functional.Linear(x, big.Block(6, 9));
        Close("linear_block.y", y);
        y.Backward(s_golden["linear_block.gy"]);
        Close("linear_block.gx", x.Grad!);
        Close("linear_block.gw_big", big.Grad!);
    }

    [Fact]
    public void Batched_attention_products_with_a_transposed_view()
    {
        var (q, k, v) = (Leaf("attention.q"), Leaf("attention.k"), Leaf("attention.v"));
        var o = Functional.MatMul(Functional.MatMul(q, k.Transpose(-2, -1)), v);
        Close("attention.o", o);
        o.Backward(s_golden["attention.go"]);
        Close("attention.gq", q.Grad!);
        Close("attention.gk", k.Grad!);
        Close("attention.gv", v.Grad!);
    }
}
