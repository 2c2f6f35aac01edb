using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Tests.Kernels;
using FormerSearch.Engine.Tests.Support;
using F = FormerSearch.Engine.Functional;

namespace FormerSearch.Engine.Tests.Ops;

/// <summary>A warm forward/backward through these ops inside a <see cref="TensorScope"/> allocates nothing on the managed heap.</summary>
[Collection(ElementwiseThreadsCollection.Name)]
public sealed class ElementwiseAllocationTests
{
    [Fact]
    public void WarmStepAllocatesNothing()
    {
        var x = TestTensors.Uniform(1, true, 4, 9, 16);
        var pos = TestTensors.Uniform(2, true, 1, 9, 16);
        var channel = TestTensors.Uniform(3, true, 16);
        var cls = TestTensors.Uniform(4, true, 1, 1, 16);
        var scale = Tensor.FromArray([1f], 1);
        var bias = Tensor.FromArray([0f], 1);
        scale.RequiresGrad = bias.RequiresGrad = true;
        var embedding = TestTensors.Uniform(5, true, 10, 16);
        int[] targets = [1, 3, 0, 9];
        int[] tokens = [3, 1, 4, 1];
        var rng = new Generator(1);
        // Arrays, not literals: a literal span allocates on every call in Debug builds.
        int[] indexShape = [4, 1], splitSizes = [6, 10], lastDim = [-1], tokenDim = [1];
        var parts = new Tensor[2];

        void Step()
        {
            using var scope = TensorScope.Enter();
            var h = F.Add(F.Mul(F.Add(x, pos), channel), F.Embedding(tokens, embedding, indexShape));  // [4, 9, 16]
            h = F.TokenConcat(cls, F.Gelu(h));                                                         // [4, 10, 16]
            h = F.Dropout(F.StarRelu(F.Glu(F.Concat([h, h], -1)), scale, bias), 0.1f, true, rng);
            h = F.DropPath(F.Softmax(F.Sub(F.Div(h, 2f), 1f)), 0.2f, true, rng);
            F.Split(h, splitSizes, -1, parts);
            var logits = F.Mean(F.Add(F.Silu(parts[1]), F.Sum(F.Tanh(parts[0]), lastDim, keepDim: true)), tokenDim); // [4, 10]
            var loss = F.Add(F.CrossEntropy(logits, targets, 0.1f), F.Mean(F.LogSoftmax(F.Relu6(F.Neg(logits)))));
            loss = F.Add(loss, F.SoftTargetCrossEntropy(logits, F.Sigmoid(logits)));
            loss.Backward();
        }

        // Warm: pools, lazily built tables and tier-1 code settle over the first steps (20, as a training run's first batches).
        for (int i = 0; i < 20; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"10 warm steps allocated {allocated} bytes.");
    }
}
