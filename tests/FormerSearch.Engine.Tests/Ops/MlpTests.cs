using FormerSearch.Engine;
using FormerSearch.Engine.Kernels.Gemm;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Ops;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>
/// Functional.Mlp trains through one op (blocks of rows kept in cache) where the shapes suit it; its output and every
/// gradient must be the bits of Linear → activation → Linear, on one and two threads.
/// </summary>
public sealed class MlpTests
{
    private static Tensor Leaf(Generator rng, params int[] shape)
    {
        var t = Tensor.Empty(shape);
        rng.FillNormal(t.AsSpan());
        t.RequiresGrad = true;
        return t;
    }

    [Theory]
    [InlineData(ActivationKind.Gelu, false, true)]
    [InlineData(ActivationKind.Gelu, true, false)]
    [InlineData(ActivationKind.Sigmoid, false, true)]
    [InlineData(ActivationKind.Relu, true, true)]
    public void A_trained_MLP_has_the_bits_of_its_separate_ops(ActivationKind activation, bool weightView, bool bias)
    {
        var saved = (Gemm.Default, ParallelRunner.Threads);
        try
        {
            // The separate ops on the managed GEMM (the fused op's), whatever the machine's default provider.
            Gemm.Default = Gemm.Managed;
            // 1,000 rows (15 blocks of 64 and a short one) in a [10, 100, 40] input, 40 → 64 → 24: ≥ 8 rows per output channel.
            const int rows = 1000, inFeatures = 40, hidden = 64, outFeatures = 24;
            var rng = new Generator(5);
            var x = Leaf(rng, 10, rows / 10, inFeatures);
            var w1 = Leaf(rng, hidden, inFeatures);
            var b1 = bias ? Leaf(rng, hidden) : null;
            // A supernet's active block of a larger second-layer weight, or the whole of one.
            var w2Whole = weightView ? Leaf(rng, outFeatures + 5, hidden + 16) : Leaf(rng, outFeatures, hidden);
            var b2 = bias ? Leaf(rng, outFeatures) : null;
            var seed = Tensor.Empty(10, rows / 10, outFeatures);
            rng.FillNormal(seed.AsSpan());
            Tensor W2() => weightView ? w2Whole.Block(outFeatures, hidden) : w2Whole;
            Assert.Equal(Gemm.Managed.Kind != GemmKernelKind.Scalar, MlpFunction.Fits(x, w1, W2(), activation));

            float[][] Run(bool fused, int threads)
            {
                ParallelRunner.Threads = threads;
                Tensor?[] leaves = [x, w1, b1, w2Whole, b2];
                foreach (var leaf in leaves) leaf?.ZeroGrad();
                // Pooled buffers full of NaN: a gradient handed out unfilled must be written, not added into.
                var poisoned = Enumerable.Range(0, 8).Select(_ => BufferPool.Rent(rows * hidden)).ToList();
                foreach (var buffer in poisoned)
                {
                    buffer.AsSpan().Fill(float.NaN);
                    BufferPool.Return(buffer);
                }
                // In a scope, as a training step runs: the hidden gradient is then handed out unfilled.
                float[] output;
                using (TensorScope.Enter())
                {
                    var w2 = W2();
                    var y = fused
                        ? Functional.Mlp(x, w1, b1, activation, w2, b2)
                        : Functional.Linear(Functional.Activation(activation, Functional.Linear(x, w1, b1)), w2, b2);
                    y.Backward(seed);
                    output = y.ToArray();
                }
                return [output, .. leaves.Where(l => l is not null).Select(l => l!.Grad!.ToArray())];
            }

            var expected = Run(fused: false, threads: 1);
            Assert.Equal(expected, Run(fused: true, threads: 1));
            Assert.Equal(expected, Run(fused: true, threads: 2));
        }
        finally
        {
            (Gemm.Default, ParallelRunner.Threads) = saved;
        }
    }

    [Fact]
    public void Without_an_activation_it_is_the_two_linear_layers_and_StarRelu_is_refused()
    {
        var rng = new Generator(7);
        var (x, w1, w2) = (Leaf(rng, 300, 16), Leaf(rng, 32, 16), Leaf(rng, 8, 32));
        var expected = Functional.Linear(Functional.Linear(x, w1), w2).ToArray();
        Assert.Equal(expected, Functional.Mlp(x, w1, null, ActivationKind.None, w2, null).ToArray());
        using (Autograd.Tape.NoGrad()) Assert.Equal(expected, Functional.Mlp(x, w1, null, ActivationKind.None, w2, null).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Mlp(x, w1, null, ActivationKind.StarRelu, w2, null));
    }

    [Fact]
    public void Few_rows_per_output_channel_keep_the_separate_ops()
    {
        var rng = new Generator(6);
        Assert.False(MlpFunction.Fits(Leaf(rng, 100, 32), Leaf(rng, 64, 32), Leaf(rng, 24, 64), ActivationKind.Gelu));
        Assert.False(MlpFunction.Fits(Leaf(rng, 1000, 32), Leaf(rng, 64, 32), Leaf(rng, 24, 64), ActivationKind.StarRelu));
        Assert.True(MlpFunction.Fits(Leaf(rng, 1000, 32), Leaf(rng, 64, 32), Leaf(rng, 24, 64), ActivationKind.Gelu) == (Gemm.Managed.Kind != GemmKernelKind.Scalar));
    }
}
