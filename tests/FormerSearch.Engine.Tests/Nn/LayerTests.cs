using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Nn;

/// <summary>Gradients against finite differences, construction, initialisation and naming of the layer modules.</summary>
[Collection(AllocationCollection.Name)]
public sealed class LayerTests
{
    /// <summary>Each test starts from an empty buffer pool: what earlier tests left in it changes which buffers a step takes.</summary>
    public LayerTests() => BufferPool.Trim();

    // Odd sizes; the input is a strided view (a narrowed slice of a bigger tensor) to exercise the copy paths.
    private static Tensor ViewInput(int seed, int b, int h, int w, int c)
    {
        var big = TestTensors.Uniform(seed, true, b, h, w, c + 3);
        return big.Narrow(3, 1, c);
    }

    private static void CheckModule(ILayer layer, Tensor x, params Parameter[] parameters)
    {
        var inputs = new Tensor[parameters.Length + 1];
        inputs[0] = x;
        for (int i = 0; i < parameters.Length; i++) inputs[i + 1] = parameters[i].Value;
        GradCheck.Check(t => layer.Forward(t[0]), inputs);
    }

    [Theory]
    [InlineData(5, 7, 3, 2, 1, 1)]
    [InlineData(3, 4, 5, 3, 2, 1)]
    [InlineData(6, 9, 3, 1, 1, 3)]
    [InlineData(5, 5, 3, 2, 1, 5)]   // depthwise
    [InlineData(4, 6, 1, 1, 0, 1)]
    public void Conv2d_gradients_match_finite_differences(int cin, int cout, int k, int stride, int padding, int groups)
    {
        var conv = new Conv2d(cin, cout, k, stride, padding, groups, generator: new Generator(11));
        Assert.Equal(groups == cin && groups == cout && groups > 1, conv.IsDepthwise);
        CheckModule(conv, ViewInput(1, 2, 7, 6, cin), conv.Weight, conv.Bias!);
    }

    [Fact]
    public void Conv1x1_gradients_match_finite_differences()
    {
        var conv = new Conv1x1(5, 7, generator: new Generator(2));
        CheckModule(conv, ViewInput(3, 2, 3, 4, 5), conv.Weight, conv.Bias!);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm2d_gradients_match_finite_differences(bool training)
    {
        var bn = new BatchNorm2d(5);
        new Generator(4).FillUniform(bn.Weight.Value.AsSpan(), 0.5f, 1.5f);
        new Generator(5).FillUniform(bn.Bias.Value.AsSpan(), -0.5f, 0.5f);
        new Generator(6).FillUniform(bn.RunningMean.AsSpan(), -0.2f, 0.2f);
        new Generator(7).FillUniform(bn.RunningVar.AsSpan(), 0.5f, 1.5f);
        bn.Train(training);
        CheckModule(bn, ViewInput(8, 3, 4, 3, 5), bn.Weight, bn.Bias);
    }

    [Fact]
    public void Norm_and_activation_modules_have_gradients()
    {
        var ln = new LayerNorm(6);
        CheckModule(ln, ViewInput(9, 2, 3, 2, 6), ln.Weight, ln.Bias);
        var gn = new GroupNorm(1, 6);
        CheckModule(gn, ViewInput(10, 2, 3, 2, 6), gn.Weight, gn.Bias);
        var star = new StarRelu(0.9f, 0.1f);
        CheckModule(star, ViewInput(11, 2, 3, 2, 6), star.Scale, star.Bias);
        var bn1 = new BatchNorm1d(6);
        var tokens = TestTensors.Uniform(12, true, 3, 5, 6);
        CheckModule(bn1, tokens, bn1.Weight, bn1.Bias);
    }

    [Fact]
    public void BatchNorm_updates_running_stats_and_count_only_in_training()
    {
        var bn = new BatchNorm2d(4);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDict().Keys);
        Assert.Equal(0, bn.NumBatchesTracked.Rank);
        Assert.Equal(new float[] { 1, 1, 1, 1 }, bn.RunningVar.ToArray());
        var x = TestTensors.Uniform(1, 2, 3, 3, 4);
        bn.Forward(x);
        bn.Forward(x);
        Assert.Equal(2f, bn.NumBatchesTracked.Item());
        var mean = bn.RunningMean.ToArray();
        bn.Eval();
        bn.Forward(x);
        Assert.Equal(2f, bn.NumBatchesTracked.Item());
        Assert.Equal(mean, bn.RunningMean.ToArray());
        // A failed forward does not count.
        bn.Train();
        Assert.Throws<ArgumentException>(() => bn.Forward(TestTensors.Uniform(2, 1, 1, 1, 4)));
        Assert.Equal(2f, bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void Sequential_names_children_by_index_and_chains()
    {
        var g = new Generator(3);
        var seq = new Sequential(new Conv2d(3, 4, 3, generator: g), new Relu(), new BatchNorm2d(4), new Identity());
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked"], seq.StateDict().Keys);
        Assert.Equal(4, seq.Count);
        var x = TestTensors.Uniform(4, 2, 5, 5, 3);
        var expected = ((BatchNorm2d)seq[2]).Forward(Functional.Relu(((Conv2d)seq[0]).Forward(x)));
        Assert.Equal(expected.ToArray(), seq.Forward(x).ToArray());

        var nested = new Sequential(new Sequential(new Linear(3, 3, g)), new Gelu());
        Assert.Equal(["0.0.weight", "0.0.bias"], nested.StateDict().Keys);
        Assert.Same(x, new Sequential().Forward(x));
    }

    [Fact]
    public void Conv_initialisation_follows_pytorch_bounds_and_defaults_to_zeros()
    {
        var conv = new Conv2d(6, 8, 3, groups: 2, generator: new Generator(1));
        double bound = 1.0 / Math.Sqrt(3 * 3 * 3);
        Assert.Equal([8, 3, 3, 3], conv.Weight.Shape.ToArray());
        Assert.Equal(ExternalLayout.ConvOihw, conv.Weight.ExternalLayout);
        var w = conv.Weight.Value.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.8 * bound && w.Min() < -0.8 * bound);
        Assert.All(conv.Bias!.Value.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(new Conv2d(3, 4, 3).Weight.Value.ToArray(), v => Assert.Equal(0f, v));
        Assert.Null(new Conv2d(3, 4, 3, bias: false).Bias);
        Assert.True(conv.Bias.NoWeightDecay);
        Assert.False(conv.Weight.NoWeightDecay);

        var c1 = new Conv1x1(16, 4, generator: new Generator(2));
        Assert.Equal(ExternalLayout.LinearAsConv1x1, c1.Weight.ExternalLayout);
        Assert.All(c1.Weight.Value.ToArray(), v => Assert.InRange(v, -0.25, 0.25));
        Assert.All(new Conv1x1(16, 4).Weight.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Norms_start_as_identity_transforms()
    {
        foreach (Module m in new Module[] { new LayerNorm(5), new GroupNorm(1, 5), new BatchNorm2d(5), new BatchNorm1d(5) })
        {
            var sd = m.StateDict();
            Assert.All(sd["weight"].ToArray(), v => Assert.Equal(1f, v));
            Assert.All(sd["bias"].ToArray(), v => Assert.Equal(0f, v));
        }
        var star = new StarRelu();
        Assert.Equal(1f, star.Scale.Value.Item());
        Assert.Equal(0f, star.Bias.Value.Item());
        Assert.Equal([1], star.Scale.Shape.ToArray());
    }

    [Fact]
    public void Bad_arguments_throw_clear_errors()
    {
        Assert.Contains("numGroups = 2", Assert.Throws<ArgumentException>(() => new GroupNorm(2, 8)).Message);
        Assert.Contains("groups=3", Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, 3, groups: 3)).Message);
        Assert.Throws<ArgumentException>(() => new Conv2d(0, 6, 3));
        Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, 3, stride: 0));
        Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, 3, padding: -1));
        Assert.Throws<ArgumentException>(() => new LayerNorm(0));
        Assert.Throws<ArgumentException>(() => new BatchNorm2d(4, momentum: 2f));
        Assert.Throws<ArgumentException>(() => new Dropout(1.5f, new Generator(1)));
        Assert.Throws<ArgumentException>(() => new DropPath(-0.1f, new Generator(1)));
        Assert.Contains("[B, H, W, 4]", Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, 3).Forward(Tensor.Zeros(1, 5, 5, 3))).Message);
        Assert.Contains("[B, H, W, 4]", Assert.Throws<ArgumentException>(() => new BatchNorm2d(4).Forward(Tensor.Zeros(2, 4))).Message);
        Assert.Throws<ArgumentException>(() => new BatchNorm1d(4).Forward(Tensor.Zeros(2, 3, 3, 4)));
        Assert.Throws<ArgumentException>(() => new Conv1x1(4, 6).Forward(Tensor.Zeros(2, 5)));
    }

    [Fact]
    public void Dropout_and_drop_path_are_identity_in_eval_and_random_in_training()
    {
        var x = TestTensors.Uniform(1, 8, 4, 16);
        var drop = new Dropout(0.5f, new Generator(1));
        var path = new DropPath(0.5f, new Generator(2));
        Assert.Same(x, new Dropout(0f, new Generator(1)).Forward(x));
        Assert.Same(x, new DropPath(0f, new Generator(1)).Forward(x));
        Assert.Same(x, new Identity().Forward(x));

        var y = drop.Forward(x).ToArray();
        var xs = x.ToArray();
        int zeros = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] == 0f) zeros++;
            else Assert.Equal(2f * xs[i], y[i], 6);
        }
        Assert.InRange(zeros, y.Length / 4, 3 * y.Length / 4);

        var p = path.Forward(x);
        for (int b = 0; b < 8; b++)
        {
            var row = p.Select(0, b).Contiguous().ToArray();
            var src = x.Select(0, b).Contiguous().ToArray();
            bool dropped = row.All(v => v == 0f);
            if (!dropped) for (int i = 0; i < row.Length; i++) Assert.Equal(2f * src[i], row[i], 6);
        }

        drop.Eval();
        path.Eval();
        Assert.Same(x, drop.Forward(x));
        Assert.Same(x, path.Forward(x));
    }

    [Fact]
    public void Activation_modules_match_functional()
    {
        var x = TestTensors.Uniform(5, 3, 40);
        Assert.Equal(Functional.Gelu(x).ToArray(), new Gelu().Forward(x).ToArray());
        Assert.Equal(Functional.Relu(x).ToArray(), new Relu().Forward(x).ToArray());
        Assert.Equal(Functional.Relu6(Functional.Mul(x, 8f)).ToArray(), new Relu6().Forward(Functional.Mul(x, 8f)).ToArray());
        Assert.Equal(Functional.Silu(x).ToArray(), new Silu().Forward(x).ToArray());
        Assert.Empty(new Gelu().StateDict());
    }

    [Fact]
    public void Layers_run_allocation_light_inside_a_scope()
    {
        // Forward/backward through a small stack inside a TensorScope, twice (warm-up, then measured).
        var g = new Generator(1);
        var seq = new Sequential(new Conv2d(8, 16, 3, padding: 1, generator: g), new BatchNorm2d(16), new Gelu(),
            new Conv2d(16, 16, 3, padding: 1, groups: 16, generator: g), new GroupNorm(1, 16), new Conv1x1(16, 8, generator: g), new LayerNorm(8));
        var x = TestTensors.Uniform(2, 2, 9, 9, 8);
        void Step()
        {
            using (TensorScope.Enter())
            {
                var y = seq.Forward(x);
                Functional.Sum(y).Backward();
            }
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Tape nodes and activation buffers are pooled: a warm step allocates nothing (measured 0 bytes; a little slack for runtime noise).
        Assert.True(allocated < 1024, $"one step allocated {allocated} bytes");
    }
}
