using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.IO;
using FormerSearch.Models;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Tests.Models;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// AutoFormer's official supernet checkpoint loads into our AutoFormer supernet as it is: <c>Supernets/Golden/make_autoformer_supernet_pth.py</c>
/// saves a small official <c>Vision_TransformerSuper</c> the way supernet_train.py saves checkpoint.pth (the weights under
/// 'model', in float16 here, beside the epoch, scaler state and an argparse.Namespace of arguments) with the official logits
/// of two subnets; the same subnets activated in our supernet give them (float32, 1e-4 of the largest).
/// </summary>
public sealed class AutoFormerOfficialCheckpointTests
{
    private static readonly AutoFormerSpace Space = new(new AutoFormerSpaceConfig
    {
        SuperEmbedDim = 64, SuperDepth = 2, SuperMlpRatio = 1.5f, SuperNumHeads = 1,
        EmbedDims = [32, 64], Depths = [1, 2], MlpRatios = [1f, 1.5f], NumHeads = [1],
        HeadDim = 64, PatchSize = 4, MaxRelativePosition = 2, Input = new ModelInput(3, 8, 8),
    }, "official-pth");

    // The cases of the script: (width, MLP ratio per layer).
    private static readonly (int Embed, string[] Ratios)[] Cases = [(32, ["1.5", "1"]), (64, ["1.5"])];

    [Fact]
    public void The_official_supernet_checkpoint_loads_and_its_subnets_give_the_official_logits()
    {
        var net = Space.CreateSupernet(ModelOptions.For(Space.DefaultInput, numClasses: 5));
        var notes = new List<string>();
        net.LoadWeights(Path.Combine(AppContext.BaseDirectory, "Supernets", "Golden", "autoformer_supernet_official.pth"), strict: true, notice: notes.Add);
        Assert.Contains(notes, n => n.Contains("taking the state dict under 'model'", StringComparison.Ordinal));

        var golden = SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Supernets", "Golden", "autoformer_supernet_official.safetensors"));
        net.Eval();
        for (int c = 0; c < Cases.Length; c++)
        {
            var (embed, ratios) = Cases[c];
            var entries = new List<KeyValuePair<string, string>>
            {
                new("depth", ratios.Length.ToString(CultureInfo.InvariantCulture)), new("embed_dim", embed.ToString(CultureInfo.InvariantCulture)),
            };
            for (int i = 0; i < ratios.Length; i++)
            {
                entries.Add(new(AutoFormerChoices.MlpRatio(i).Name, ratios[i]));
                entries.Add(new(AutoFormerChoices.Heads(i).Name, "1"));
            }
            net.Activate(new Architecture("autoformer", "official-pth", entries));
            using var _ = Tape.NoGrad();
            GoldenAssert.Close(golden[$"c{c}.y"], net.Forward(golden["x"]));
        }
    }
}
