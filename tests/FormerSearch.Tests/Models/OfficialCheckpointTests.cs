using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Models;

/// <summary>
/// A zoo model loads an official PyTorch checkpoint directly: <c>Models/Golden/make_poolformer_pth.py</c> saves the official
/// PoolFormer's state dict with torch.save (as sail-sg/poolformer publishes its weights) and its float64 logits; the .pth
/// loaded by <see cref="FormerSearch.Engine.Nn.Module.LoadWeights"/> gives the same logits (float32, 1e-4 of the largest).
/// </summary>
public sealed class OfficialCheckpointTests
{
    [Fact]
    public void PoolFormer_from_the_official_pth_gives_the_official_logits()
    {
        var model = new PoolFormer(new PoolFormerConfig { Depths = [1, 1, 1, 1], Widths = [8, 16, 16, 24], MlpRatio = 2f, Norm = NormKind.GroupNorm },
            ModelOptions.For(new ModelInput(3, 32, 32), numClasses: 5));
        var notes = new List<string>();
        var (missing, unexpected) = model.LoadWeights(Path.Combine(AppContext.BaseDirectory, "Models", "Golden", "poolformer_official.pth"), notice: notes.Add);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        Assert.Empty(notes); // a plain state dict: nothing chosen, nothing renamed

        var golden = GoldenAssert.Load("poolformer_official");
        model.Eval();
        using var _ = Tape.NoGrad();
        GoldenAssert.Close(golden["y"], model.Forward(golden["x"]));
    }
}
