using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Tests.Kernels;
using FormerSearch.Engine.Tests.Support;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// The forward-only fused ops a no-gradient pass takes (<see cref="Functional.LinearActivation"/>,
/// <see cref="Functional.ScaledResidual"/>, <see cref="Functional.MultiHeadAttention"/>, and <see cref="Functional.Linear"/>'s
/// own no-gradient path) against the ops they fuse, as a pass that records a gradient runs them (the residuals against
/// the ops written out, as they are one op with a gradient too): the same up to rounding (1e-5 relative), the same bits
/// for 1 and 2 threads, and traced as the unfused ops.
/// </summary>
[Collection(ElementwiseThreadsCollection.Name)]
public sealed class FusedInferenceOpsTests
{
    private const double Tolerance = 1e-5;

    public static readonly ActivationKind[] Activations =
        [ActivationKind.None, ActivationKind.Relu, ActivationKind.Relu6, ActivationKind.Gelu, ActivationKind.Silu, ActivationKind.Sigmoid, ActivationKind.Tanh];

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 192, 768)]     // a batch-1 MLP on a 1×1 map: the dot-product path
    [InlineData(3, 17, 5)]
    [InlineData(8, 130, 33)]      // the last row count of the dot-product path
    [InlineData(9, 64, 16)]       // the first of the GEMM path
    [InlineData(300, 33, 200)]
    [InlineData(2100, 64, 64)]    // blocks of rows, the last one partial (a small weight, many rows)
    [InlineData(1300, 100, 130)]
    [InlineData(2000, 300, 600)]  // chunks of rows through the managed GEMM, the last one partial
    [InlineData(1000, 520, 1100)] // chunks through the default GEMM (a large weight)
    public void LinearActivation_matches_linear_then_activation(int rows, int inFeatures, int outFeatures)
    {
        var x = TestTensors.Uniform(1, rows, inFeatures);
        var w = TestTensors.Uniform(2, outFeatures, inFeatures);
        var b = TestTensors.Uniform(3, outFeatures);
        foreach (var kind in Activations)
        {
            foreach (var bias in new[] { b, null })
            {
                var expected = RecordedOp.Values(() => Functional.LinearActivation(x, w, bias, kind), x, w, bias);
                using (Tape.NoGrad())
                    TestTensors.AssertClose(expected, Functional.LinearActivation(x, w, bias, kind).ToArray(), Tolerance, $"{kind}, bias {bias is not null}");
            }
        }
    }

    [Fact]
    public void Linear_without_gradient_matches_the_recorded_op_on_a_weight_sub_block_and_a_strided_input()
    {
        var whole = TestTensors.Uniform(4, 40, 30);
        var wholeBias = TestTensors.Uniform(5, 40);
        foreach (int rows in new[] { 1, 5, 64 })
        {
            var xt = TestTensors.Uniform(6, 25, rows);
            // W [20, 25] with rows 30 apart (a supernet's active block), x [rows, 25] strided.
            Tensor Op() => Functional.Linear(xt.Transpose(0, 1), whole.Narrow(0, 3, 20).Narrow(1, 2, 25), wholeBias.Narrow(0, 0, 20));
            var expected = RecordedOp.Values(Op, whole, wholeBias);
            using (Tape.NoGrad())
                TestTensors.AssertClose(expected, Op().ToArray(), Tolerance, $"{rows} rows");
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ScaledResidual_matches_sub_mul_add(bool subtrahend, bool scaled)
    {
        foreach (var shape in new[] { new[] { 1, 3, 3, 5 }, new[] { 2, 7, 33 }, new[] { 1, 1, 1, 64 }, new[] { 4, 9, 17 } })
        {
            var x = TestTensors.Uniform(7, shape);
            var a = TestTensors.Uniform(8, shape);
            var b = subtrahend ? TestTensors.Uniform(9, shape) : null;
            var s = scaled ? TestTensors.Uniform(10, shape[^1]) : null;
            // The ops it stands for, written out (a recorded residual is the fused op too).
            var branch = b is null ? a : Functional.Sub(a, b);
            var expected = Functional.Add(x, s is null ? branch : Functional.Mul(branch, s)).ToArray();
            using (Tape.NoGrad())
                TestTensors.AssertClose(expected, Functional.ScaledResidual(x, a, b, s).ToArray(), Tolerance, Tensor.FormatShape(shape));
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 3)]
    [InlineData(2, 5, 7, 17)]     // borders, odd sizes and a vector tail
    [InlineData(1, 3, 2, 64)]
    [InlineData(1, 8, 8, 1)]
    public void PoolResidual_matches_pool_sub_mul_add(int batch, int height, int width, int channels)
    {
        var x = TestTensors.Uniform(23, batch, height, width, channels);
        var normed = TestTensors.Uniform(24, batch, height, width, channels);
        foreach (var scale in new[] { TestTensors.Uniform(25, channels), null })
        {
            var branch = Functional.Sub(Functional.AvgPool3x3(normed), normed);
            var expected = Functional.Add(x, scale is null ? branch : Functional.Mul(branch, scale)).ToArray();
            using (Tape.NoGrad())
                TestTensors.AssertClose(expected, Functional.PoolResidual(x, normed, scale).ToArray(), Tolerance, $"scale {scale is not null}");
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 4)]
    [InlineData(1, 3, 197, 16)]   // DeiT-Tiny's shape at batch 1, narrower heads
    [InlineData(2, 2, 33, 8)]     // one full block of query rows and one of a single row
    [InlineData(3, 1, 5, 3)]
    [InlineData(4, 3, 70, 16)]    // 12 heads: a unit of work is a whole head
    public void MultiHeadAttention_matches_scale_matmul_softmax_matmul(int batch, int heads, int tokens, int headDim)
    {
        // q, k, v as attention takes them: strided views of one fused projection [B, N, 3·h·d].
        var qkv = TestTensors.Uniform(11, batch, tokens, 3 * heads * headDim);
        Tensor Op()
        {
            var perHead = qkv.Reshape(batch, tokens, 3, heads, headDim).Permute(2, 0, 3, 1, 4);
            return Functional.MultiHeadAttention(perHead.Select(0, 0), perHead.Select(0, 1), perHead.Select(0, 2));
        }
        var expected = RecordedOp.Values(Op, qkv);
        using (Tape.NoGrad())
        {
            var fused = Op();
            Assert.Equal([batch, tokens, heads * headDim], fused.Shape.ToArray());
            TestTensors.AssertClose(expected, fused.ToArray(), Tolerance);
        }
    }

    [Fact]
    public void Linear_without_gradient_in_blocks_matches_the_recorded_op_on_a_transposed_weight()
    {
        // W [48, 64] stored transposed (a view of [64, 48]) and 3,000 rows: the blocked path transposes it itself.
        var whole = TestTensors.Uniform(17, 64, 48);
        var x = TestTensors.Uniform(18, 3000, 64);
        var bias = TestTensors.Uniform(19, 48);
        Tensor Op() => Functional.LinearActivation(x, whole.Transpose(0, 1), bias, ActivationKind.Silu);
        var expected = RecordedOp.Values(Op, whole, bias);
        using (Tape.NoGrad())
            TestTensors.AssertClose(expected, Op().ToArray(), Tolerance, "blocks, transposed weight");
    }

    [Fact]
    public void Fused_ops_give_the_same_bits_for_one_and_two_threads()
    {
        var x = TestTensors.Uniform(12, 70, 96);
        var w = TestTensors.Uniform(13, 384, 96);
        var b = TestTensors.Uniform(14, 384);
        var x1 = x.Narrow(0, 0, 1);                      // the dot-product path
        var many = TestTensors.Uniform(23, 2500, 96);    // blocks of rows
        var s = TestTensors.Uniform(15, 96);
        var other = TestTensors.Uniform(22, 70, 96);
        var qkv = TestTensors.Uniform(16, 2, 70, 96);
        var perHead = qkv.Reshape(2, 70, 3, 2, 16).Permute(2, 0, 3, 1, 4);
        var manyHeads = qkv.Reshape(2, 70, 3, 4, 8).Permute(2, 0, 3, 1, 4);   // 8 heads: whole heads per unit
        var (one, two) = ThreadCounts.RunBoth(() =>
        {
            using (Tape.NoGrad())
            {
                return
                [
                    .. Functional.LinearActivation(x, w, b, ActivationKind.Gelu).ToArray(),
                    .. Functional.LinearActivation(x1, w, b, ActivationKind.Gelu).ToArray(),
                    .. Functional.LinearActivation(many, w.Narrow(0, 0, 80), b.Narrow(0, 0, 80), ActivationKind.Gelu).ToArray(),
                    .. Functional.LinearActivation(many, w, b, ActivationKind.Gelu).ToArray(),
                    .. Functional.ScaledResidual(x, other, x, s).ToArray(),
                    .. Functional.PoolResidual(other.Reshape(2, 5, 7, 96), x.Reshape(2, 5, 7, 96), s).ToArray(),
                    .. Functional.MultiHeadAttention(perHead.Select(0, 0), perHead.Select(0, 1), perHead.Select(0, 2)).ToArray(),
                    .. Functional.MultiHeadAttention(manyHeads.Select(0, 0), manyHeads.Select(0, 1), manyHeads.Select(0, 2)).ToArray(),
                ];
            }
        });
        ThreadCounts.AssertBitwiseEqual(one, two);
    }

    [Fact]
    public void A_sequence_runs_a_linear_layer_and_its_activation_fused_without_changing_the_result()
    {
        var generator = new Generator(26);
        var layers = new Sequential(new Linear(12, 40, generator), new Gelu(), new Conv1x1(40, 12, generator: generator), new Relu6(), new Linear(12, 5, generator), new Silu());
        var x = TestTensors.Uniform(27, 2, 3, 12);
        var expected = layers.Forward(x).ToArray();   // parameters require gradients: the recorded layers one by one
        Tape.Clear();
        IReadOnlyList<TracedOp> ops;
        using (Tape.NoGrad())
        {
            TestTensors.AssertClose(expected, layers.Forward(x).ToArray(), Tolerance);
            using var trace = OpTrace.Start();
            layers.Forward(x);
            ops = trace.Ops;
        }
        Assert.Equal(
            [TracedOpKind.Linear, TracedOpKind.Activation, TracedOpKind.Linear, TracedOpKind.Activation, TracedOpKind.Linear, TracedOpKind.Activation],
            ops.Select(o => o.Kind).ToArray());
        Assert.Equal([ActivationKind.Gelu, ActivationKind.Relu6, ActivationKind.Silu], ops.Where(o => o.Kind == TracedOpKind.Activation).Select(o => o.Activation).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(64)]
    public void An_evaluation_BatchNorm_and_its_activation_run_fused_without_changing_the_result(int channels)
    {
        var norm = new BatchNorm2d(channels);
        new Generator(28).FillUniform(norm.RunningMean.AsSpan(), -1f, 1f);
        new Generator(29).FillUniform(norm.RunningVar.AsSpan(), 0.5f, 2f);
        new Generator(30).FillUniform(norm.Weight.Value.AsSpan(), 0.5f, 1.5f);
        new Generator(31).FillUniform(norm.Bias.Value.AsSpan(), -1f, 1f);
        var layers = new Sequential(norm, new Silu());
        layers.Eval();
        var x = TestTensors.Uniform(32, 2, 3, 5, channels);
        var expected = layers.Forward(x).ToArray();   // parameters require gradients: BatchNorm, then the activation
        Tape.Clear();
        IReadOnlyList<TracedOp> ops;
        using (Tape.NoGrad())
        {
            TestTensors.AssertClose(expected, layers.Forward(x).ToArray(), Tolerance);
            TestTensors.AssertClose(expected, norm.Forward(x, ActivationKind.Silu).ToArray(), Tolerance);
            using var trace = OpTrace.Start();
            layers.Forward(x);
            ops = trace.Ops;
        }
        Assert.Equal([TracedOpKind.BatchNorm, TracedOpKind.Activation], ops.Select(o => o.Kind).ToArray());
    }

    [Fact]
    public void A_trace_sees_the_ops_a_fused_op_stands_for()
    {
        var x = TestTensors.Uniform(17, 2, 4, 8);
        var w = TestTensors.Uniform(18, 8, 8);
        var s = TestTensors.Uniform(19, 8);
        IReadOnlyList<TracedOp> ops;
        using (Tape.NoGrad())
        using (var trace = OpTrace.Start())
        {
            var h = Functional.LinearActivation(x, w, null, ActivationKind.Gelu);
            Functional.ScaledResidual(x, h, x, s);
            ops = trace.Ops;
        }
        Assert.Equal([TracedOpKind.Linear, TracedOpKind.Activation, TracedOpKind.Sub, TracedOpKind.Mul, TracedOpKind.Add], ops.Select(o => o.Kind).ToArray());
        Assert.Same(ops[0].Output, ops[1].Inputs[0]);
        Assert.Same(ops[1].Output, ops[2].Inputs[0]);
    }

    [Fact]
    public void With_a_gradient_the_fused_ops_record_the_ops_they_stand_for()
    {
        var x = TestTensors.Uniform(20, true, 3, 6);
        var w = TestTensors.Uniform(21, true, 5, 6);
        var y = Functional.LinearActivation(x, w, null, ActivationKind.Silu);
        Functional.Sum(y).Backward();
        Assert.NotNull(w.Grad);
        Assert.NotNull(x.Grad);
        Assert.Contains(w.Grad!.ToArray(), g => g != 0f);
    }
}
