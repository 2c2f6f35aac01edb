using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Models;

/// <summary>Managed-heap bytes of warm training steps through the GLiT mixer and a BurgerFormer.</summary>
[Collection(AllocationCollection.Name)]
public sealed class ModelAllocationTests
{
    /// <summary>Each test starts from an empty buffer pool: what earlier tests left in it changes which buffers a step takes.</summary>
    public ModelAllocationTests() => BufferPool.Trim();

    [Theory]
    [InlineData(3, 0)]
    [InlineData(0, 3)]
    [InlineData(1, 2)]
    public void A_warm_mixer_step_allocates_nothing(int globalHeads, int localHeads)
    {
        // Forward and backward in training mode (BatchNorm on batch statistics) inside a scope: pooled buffers and views only.
        var mixer = new GlobalLocalAttention(dim: 12, globalHeads, localHeads, globalExpansion: 1f, localExpansion: 2, kernel: 31, new Generator(0));
        var x = Tensor.Empty(2, 17, 12);
        new Generator(1).FillNormal(x.AsSpan());
        x.RequiresGrad = true;
        void Step()
        {
            using var _ = TensorScope.Enter();
            Functional.Sum(mixer.Forward(x)).Backward();
        }
        for (int i = 0; i < 5; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        Assert.Equal(0, (GC.GetAllocatedBytesForCurrentThread() - before) / 10);
    }

    [Fact]
    public void A_warm_training_step_allocates_nothing_on_the_managed_heap()
    {
        var model = new BurgerFormer(BurgerFormerArchFormat.Parse(BurgerFormerTests.GoldenArch, "the golden architecture", "golden"),
            ModelOptions.For(new ModelInput(3, 32, 32), numClasses: 5) with { DropPathRate = 0.1f });
        var images = Tensor.Empty(2, 32, 32, 3);
        new Generator(1).FillNormal(images.AsSpan());
        long allocated = 0;
        for (int step = 0; step < 6; step++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            using (TensorScope.Enter())
            {
                Functional.Sum(model.Forward(images)).Backward();
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, allocated);
    }
}
