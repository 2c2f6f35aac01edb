using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets.Glit;

namespace FormerSearch.Tests.Supernets;

/// <summary>Managed-heap bytes of warm supernet training steps.</summary>
[Collection(AllocationCollection.Name)]
public sealed class SupernetAllocationTests
{
    /// <summary>Each test starts from an empty buffer pool: what earlier tests left in it changes which buffers a step takes.</summary>
    public SupernetAllocationTests() => BufferPool.Trim();

    [Fact]
    public void A_warm_autoformer_training_step_allocates_nothing_on_the_managed_heap()
    {
        long BytesPerStep(VisionModel model)
        {
            var optimizer = new FormerSearch.Engine.Optim.AdamW(model.Parameters(), lr: 1e-4, weightDecay: 0.05);
            var images = Tensor.Empty(2, 12, 12, 1);
            new Generator(1).FillNormal(images.AsSpan());
            int[] labels = [1, 2];
            void Step()
            {
                using var _ = TensorScope.Enter();
                optimizer.ZeroGrad();
                Functional.CrossEntropy(model.Forward(images), labels).Backward();
                optimizer.Step();
            }
            for (int i = 0; i < 5; i++) Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) Step();
            return (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        }
        var space = AutoFormerSpace.Create("mini");
        var net = space.CreateSupernet(new ModelOptions { InChannels = 1, ImageHeight = 12, ImageWidth = 12, NumClasses = 5 });
        var arch = space.Sample(new Generator(8));
        net.Activate(arch);
        Assert.Equal(0, BytesPerStep(net));
    }

    [Theory]
    [InlineData(0, 2, 5)]
    [InlineData(1, 1, 9)]
    [InlineData(3, 4, 13)]
    public void A_warm_split_step_allocates_nothing(int globalHeads, int localExpansion, int kernel)
    {
        // Forward and backward of one head split at sliced sizes (training mode, sliced BatchNorm): pooled buffers and views only.
        var split = new GlitSuperGlobalLocal(headDim: 4, globalHeads, 3 - globalHeads, 2f, 4, 13, new Generator(0));
        split.Activate(globalHeads, 3 - globalHeads, 1f, localExpansion, kernel);
        var x = Tensor.Empty(2, 17, 12);
        new Generator(1).FillNormal(x.AsSpan());
        x.RequiresGrad = true;
        void Step()
        {
            using var _ = TensorScope.Enter();
            Functional.Sum(split.Forward(x)).Backward();
        }
        for (int i = 0; i < 5; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        Assert.Equal(0, (GC.GetAllocatedBytesForCurrentThread() - before) / 10);
    }
}
