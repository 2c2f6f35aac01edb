using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// Managed-heap bytes of a warm supernet training step. Alone in its collection: tests running beside it share the
/// engine's buffer pools and thread pool, and their use can make a step here rent new buffers.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class AutoFormerSupernetAllocationTests
{
    [Fact]
    public void A_warm_training_step_allocates_nothing_on_the_managed_heap()
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
}
