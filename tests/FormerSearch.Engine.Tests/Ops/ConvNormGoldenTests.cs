using FormerSearch.Engine;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// Norms, convolutions and pooling against PyTorch (<c>Golden/make_conv_norm.py</c>, computed in
/// float64 and stored channels-last / OHWI): outputs and every gradient within 1e-5 relative
/// (absolute below magnitude 1), and the running statistics BatchNorm updates.
/// </summary>
public sealed class ConvNormGoldenTests
{
    private const double Tolerance = 1e-5;
    private static readonly Lazy<Dictionary<string, Tensor>> s_golden = new(() => Golden.Load("conv_norm"));

    private static Tensor Get(string name) => s_golden.Value[name];

    private static Tensor Input(string name)
    {
        var t = Get(name).Clone();
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Runs the op on the case's inputs, back-propagates its gy and compares y and the named gradients.</summary>
    private static void Check(string name, Func<Tensor[], Tensor> op, params string[] inputs)
    {
        var tensors = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) tensors[i] = Input($"{name}.{inputs[i]}");
        var y = op(tensors);
        Assert.Equal(Get($"{name}.y").Shape.ToArray(), y.Shape.ToArray());
        TestTensors.AssertClose(Get($"{name}.y").ToArray(), y.ToArray(), Tolerance, $"{name}.y");
        y.Backward(Get($"{name}.gy"));
        for (int i = 0; i < inputs.Length; i++)
            TestTensors.AssertClose(Get($"{name}.g{inputs[i]}").ToArray(), tensors[i].Grad!.ToArray(), Tolerance, $"{name}.g{inputs[i]}");
    }

    [Theory]
    [InlineData("ln2d")]
    [InlineData("ln_tokens")]
    public void LayerNorm(string name) => Check(name, t => Functional.LayerNorm(t[0], t[1], t[2]), "x", "w", "b");

    [Fact]
    public void GroupNorm1() => Check("gn1", t => Functional.GroupNorm1(t[0], t[1], t[2]), "x", "w", "b");

    [Theory]
    [InlineData("bn_train", true)]
    [InlineData("bn_eval", false)]
    public void BatchNorm(string name, bool training)
    {
        var rm = Get($"{name}.running_mean").Clone();
        var rv = Get($"{name}.running_var").Clone();
        Check(name, t => Functional.BatchNorm(t[0], t[1], t[2], rm, rv, training), "x", "w", "b");
        TestTensors.AssertClose(Get($"{name}.new_running_mean").ToArray(), rm.ToArray(), Tolerance, "running mean");
        TestTensors.AssertClose(Get($"{name}.new_running_var").ToArray(), rv.ToArray(), Tolerance, "running var");
    }

    [Theory]
    [InlineData("conv_k3s2p1", 2, 1, 1)]
    [InlineData("conv_k7s4p2", 4, 2, 1)]
    [InlineData("conv_g2", 1, 1, 2)]
    [InlineData("conv_1x1", 1, 0, 1)]
    public void Conv2d(string name, int stride, int padding, int groups) =>
        Check(name, t => Functional.Conv2d(t[0], t[1], t[2], stride, padding, groups), "x", "w", "b");

    [Theory]
    [InlineData("dw3x3", 1, 1)]
    [InlineData("dw7x7", 1, 3)]
    [InlineData("dw3x3s2", 2, 1)]
    public void DepthwiseConv2d(string name, int stride, int padding) =>
        Check(name, t => Functional.DepthwiseConv2d(t[0], t[1], t[2], stride, padding), "x", "w", "b");

    [Theory]
    [InlineData("dw1d_k17")]
    [InlineData("dw1d_k45")]
    public void DepthwiseConv1d(string name) => Check(name, t => Functional.DepthwiseConv1d(t[0], t[1], t[2]), "x", "w", "b");

    [Fact]
    public void AvgPool3x3() => Check("avgpool3x3", t => Functional.AvgPool3x3(t[0]), "x");

    [Fact]
    public void AvgPoolCountingPadding() => Check("avgpool_k3s2p1_incl", t => Functional.AvgPool2d(t[0], 3, 2, 1, countIncludePad: true), "x");
}
