using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;

namespace FormerSearch.Tests.Models;

/// <summary>
/// Logits and input gradients of a small DeiT (patch 8, width 24, depth 2, 3 heads, 16×16 input) against timm's
/// VisionTransformer, the code the DeiT models run, with timm's state dict loaded through
/// <c>LoadStateDict(pytorchLayout: true)</c>. Vectors from <c>Models/Golden/make_deit.py</c> (float64 in torch).
/// </summary>
public sealed class DeitGoldenTests
{
    [Fact]
    public void Forward_and_input_gradient_match_timm()
    {
        var golden = GoldenAssert.Load("deit");
        var model = new Vit(new VitConfig { PatchSize = 8, EmbedDim = 24, Depth = 2, NumHeads = 3 }, ModelOptions.For(new ModelInput(3, 16, 16), numClasses: 5));
        model.LoadStateDict(GoldenAssert.Section(golden, "state."), strict: true, pytorchLayout: true);
        model.Eval();
        GoldenAssert.ForwardAndInputGradient(model, golden);
    }
}
