using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Optim;

namespace FormerSearch.Bench;

/// <summary>
/// Managed-heap bytes allocated by one warm training step of a small MetaFormer-like model
/// (conv stem, norm, pooling mixer, MLP, head, cross-entropy, AdamW), measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/>. The engine's goal is a few KB at most.
/// </summary>
public static class StepAllocationBenchmark
{
    /// <summary>Average bytes per step over <paramref name="steps"/> steps after a warm-up, weights and images drawn with <paramref name="seed"/>.</summary>
    public static long BytesPerStep(int steps = 10, ulong seed = 0)
    {
        var model = new TinyBackbone(new Generator(seed));
        var optimizer = new AdamW(model.Parameters(), lr: 1e-3, weightDecay: 0.05);
        var images = Tensor.Zeros(8, 16, 16, 3);
        new Generator(seed + 1).FillUniform(images.AsSpan(), -1f, 1f);
        int[] labels = [0, 1, 2, 3, 4, 5, 6, 7];

        void Step()
        {
            using var _ = TensorScope.Enter();
            optimizer.ZeroGrad();
            var loss = Functional.CrossEntropy(model.Forward(images), labels, labelSmoothing: 0.1f);
            loss.Backward();
            optimizer.Step();
        }

        for (int i = 0; i < 5; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++) Step();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / steps;
    }

    /// <summary>A 16×16 input, a 4×4 patch stem, one PoolFormer block and a linear head.</summary>
    private sealed class TinyBackbone : Module
    {
        private readonly Parameter _stem, _stemBias, _norm1, _norm1Bias, _norm2, _norm2Bias;
        private readonly Linear _fc1, _fc2, _head;

        public TinyBackbone(Generator rng)
        {
            _stem = RegisterParameter("stem_weight", new Parameter(32, 4, 4, 3));
            rng.FillUniform(_stem.Value.AsSpan(), -0.2f, 0.2f);
            _stemBias = RegisterParameter("stem_bias", new Parameter(32));
            _norm1 = RegisterParameter("norm1_weight", new Parameter(Tensor.Ones(32)));
            _norm1Bias = RegisterParameter("norm1_bias", new Parameter(32));
            _norm2 = RegisterParameter("norm2_weight", new Parameter(Tensor.Ones(32)));
            _norm2Bias = RegisterParameter("norm2_bias", new Parameter(32));
            _fc1 = RegisterModule("fc1", new Linear(32, 128, rng));
            _fc2 = RegisterModule("fc2", new Linear(128, 32, rng));
            _head = RegisterModule("head", new Linear(32, 10, rng));
        }

        public Tensor Forward(Tensor x)
        {
            x = Functional.Conv2d(x, _stem.Value, _stemBias.Value, stride: 4);                    // [B, 4, 4, 32]
            var y = Functional.GroupNorm1(x, _norm1.Value, _norm1Bias.Value);
            x = Functional.Add(x, Functional.Sub(Functional.AvgPool3x3(y), y));                 // token mixer
            y = Functional.GroupNorm1(x, _norm2.Value, _norm2Bias.Value);
            x = Functional.Add(x, _fc2.Forward(Functional.Gelu(_fc1.Forward(y))));               // channel MLP
            return _head.Forward(Functional.GlobalAvgPool(x));                                   // [B, 10]
        }
    }
}
