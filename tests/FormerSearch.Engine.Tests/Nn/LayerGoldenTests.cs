using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Nn;

/// <summary>
/// Each layer against the torch.nn module of <c>Golden/make_nn.py</c>: the torch state dict (OIHW
/// convolution weights, I64 <c>num_batches_tracked</c>) is loaded through
/// <c>LoadStateDict(pytorchLayout: true)</c>, so these tests also check the layout conversion; then
/// output, input gradient, parameter gradients (converted back to torch's layout) and, in training,
/// the BatchNorm buffers are compared. Torch computed in float64; we run float32, so the tolerance is
/// 1e-5 relative (to max(1, |expected|)) for outputs and 2e-5 for gradients, which sum more terms.
/// </summary>
public sealed class LayerGoldenTests
{
    private const double ForwardTolerance = 1e-5;
    private const double BackwardTolerance = 2e-5;

    private static readonly Lazy<Dictionary<string, Tensor>> Vectors = new(() => Golden.Load("nn"));

    [Fact] public void LayerNorm_on_tokens_matches_torch() => Check("ln_tokens", new LayerNorm(24), training: true);
    [Fact] public void LayerNorm_on_channels_last_maps_matches_torch() => Check("ln2d", new LayerNorm(20), training: true);
    [Fact] public void GroupNorm1_matches_torch() => Check("gn1", new GroupNorm(1, 24), training: true);
    [Fact] public void BatchNorm2d_training_matches_torch_including_running_stats() => Check("bn2d_train", new BatchNorm2d(16), training: true);
    [Fact] public void BatchNorm2d_eval_matches_torch() => Check("bn2d_eval", new BatchNorm2d(16), training: false);
    [Fact] public void BatchNorm1d_training_on_tokens_matches_torch() => Check("bn1d_train", new BatchNorm1d(12), training: true);
    [Fact] public void Conv2d_k7_s4_p2_matches_torch() => Check("conv_k7s4p2", new Conv2d(3, 16, 7, stride: 4, padding: 2), training: true);
    [Fact] public void Conv2d_k3_s2_p1_matches_torch() => Check("conv_k3s2p1", new Conv2d(8, 12, 3, stride: 2, padding: 1), training: true);
    [Fact] public void Conv2d_1x1_matches_torch() => Check("conv_1x1", new Conv2d(12, 10, 1), training: true);
    [Fact] public void Conv1x1_matches_torch_conv2d_k1() => Check("conv_1x1", new Conv1x1(12, 10), training: true);
    [Fact] public void Conv2d_grouped_without_bias_matches_torch() => Check("conv_g4", new Conv2d(8, 12, 3, padding: 1, groups: 4, bias: false), training: true);
    [Fact] public void Conv2d_depthwise_3x3_matches_torch() => Check("conv_dw3x3", new Conv2d(16, 16, 3, padding: 1, groups: 16), training: true);
    [Fact] public void Conv2d_rectangular_kernel_matches_torch() => Check("conv_k1x3", new Conv2d(6, 8, (1, 3), (1, 2), (0, 1)), training: true);
    [Fact] public void StarRelu_matches_torch() => Check("star_relu", new StarRelu(), training: true);

    [Fact]
    public void Sequential_loads_torch_names_and_chains_layers()
    {
        var seq = new Sequential(new Conv2d(4, 8, 3, padding: 1), new BatchNorm2d(8), new Relu6(), new Conv1x1(8, 6));
        Check("seq", seq, training: false);
    }

    private static void Check(string name, Module module, bool training)
    {
        var g = Vectors.Value;
        var state = Case(g, name + ".state.");
        Assert.NotEmpty(state);
        module.LoadStateDict(state, strict: true, pytorchLayout: true);
        module.Train(training);

        var x = g[name + ".x"].Clone();
        x.RequiresGrad = true;
        var y = ((ILayer)module).Forward(x);
        TestTensors.AssertClose(g[name + ".y"].ToArray(), y.ToArray(), ForwardTolerance, name + " output");
        y.Backward(g[name + ".gy"]);
        TestTensors.AssertClose(g[name + ".gx"].ToArray(), x.Grad!.ToArray(), BackwardTolerance, name + " input gradient");

        int gradients = 0;
        foreach (var (key, p) in module.NamedParameters())
        {
            var expected = g[name + ".grad." + key];
            var actual = InTorchLayout(p.Grad!, p.ExternalLayout);
            Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
            TestTensors.AssertClose(expected.ToArray(), actual.ToArray(), BackwardTolerance, $"{name} gradient of {key}");
            gradients++;
        }
        Assert.Equal(Case(g, name + ".grad.").Count, gradients);

        if (training)
            foreach (var (key, buffer) in module.NamedBuffers())
                TestTensors.AssertClose(g[name + ".after." + key].ToArray(), buffer.ToArray(), ForwardTolerance, $"{name} {key} after the forward");
    }

    private static Tensor InTorchLayout(Tensor ours, ExternalLayout layout) => layout switch
    {
        ExternalLayout.ConvOihw => ours.Permute(0, 3, 1, 2),
        ExternalLayout.LinearAsConv1x1 => ours.Reshape(ours.Size(0), ours.Size(1), 1, 1),
        _ => ours,
    };

    private static Dictionary<string, Tensor> Case(Dictionary<string, Tensor> g, string prefix)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, value) in g)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) result[key[prefix.Length..]] = value;
        return result;
    }
}
