using FormerSearch.Engine;
using FormerSearch.Models.Blocks;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

public sealed partial class BurgerFormer
{
    /// <summary>
    /// Params and MACs of <paramref name="config"/> at <paramref name="options"/>' input, from the configuration
    /// alone, row by row in forward order. MACs follow fvcore's convention (see <see cref="ModelProfile"/>): every
    /// convolution (stem, downsampling, 1×1 expansions, dwise_3x3, conv_1x1), every linear layer (attention
    /// qkv/proj, spatial MLP, head) and attention's q·kᵀ and attn·v; norms, activations, pooling, layer scales and
    /// residual additions are free. (The official <c>cal_flops_params.py</c> also counts biases, norms, activations
    /// and pooling, which is why the published GMACs are about 2% higher.)
    /// </summary>
    /// <exception cref="UserInputException">The configuration or options are invalid, or the image is too small.</exception>
    public static ModelProfile Profile(string name, BurgerFormerConfig config, ModelOptions options)
    {
        options.Validate();
        config.Validate();
        return StagePyramid.Profile(name, options, "groupnorm", normAffine: true, p =>
        {
            var stages = config.Stages;
            int mid = config.StemChannels;
            var (h, w) = p.Conv2d("patch_embed.conv1.conv", options.InChannels, mid, 3, 2, 1, options.ImageHeight, options.ImageWidth, bias: false);
            p.Norm("patch_embed.conv1.bn", "batchnorm", mid, [h, w, mid]);
            for (int k = 2; k <= 3; k++)
            {
                p.Conv2d($"patch_embed.conv{k}.conv", mid, mid, 3, 1, 1, h, w, bias: false);
                p.Norm($"patch_embed.conv{k}.bn", "batchnorm", mid, [h, w, mid]);
            }
            (h, w) = p.Conv2d("patch_embed.conv_proj", mid, stages[0].Width, 3, config.ProjectionStride, 1, h, w);
            int index = 0;
            for (int i = 0; i < stages.Count; i++)
            {
                var s = stages[i];
                for (int j = 0; j < s.Depth; j++)
                {
                    for (int k = 0; k < 3; k++)
                        SubBlockRows(p, $"network.{index}.{j}.norm_mixer_act_blocks.{k}", s.Meso.SubBlocks[k], s.Width, k == 1 ? s.Ratio : 0, h, w);
                }
                index++;
                if (i + 1 < stages.Count)
                {
                    int next = stages[i + 1].Width;
                    (h, w) = p.Conv2d($"network.{index}.proj", s.Width, next, 3, 2, 1, h, w);
                    p.Norm($"network.{index++}.norm", "groupnorm", next, [h, w, next]);
                }
            }
            return (h, w, stages[^1].Width);
        });
    }

    private static void SubBlockRows(ProfileBuilder p, string name, BurgerFormerMicroConfig micro, int dim, int ratio, int h, int w)
    {
        long positions = (long)h * w;
        int[] map = [h, w, dim];
        if (micro.UseLayerScale) p.Tensor(name + ".layer_scale", "layer scale", map, dim);
        int inner = dim;
        if (ratio > 0)
        {
            inner = ratio * dim;
            p.Norm(name + ".expand_start.0", "groupnorm", dim, map);
            p.Linear(name + ".expand_start.1", dim, inner, [h, w, inner], positions, kind: "conv1x1");
            p.Free(name + ".expand_start.2", "gelu", [h, w, inner]);
        }
        int[] innerMap = [h, w, inner];
        int op = 0;
        if (micro.PreActivation != ActivationKind.None) p.Free($"{name}.ops.{op++}", BurgerFormerVocabulary.Name(micro.PreActivation), innerMap);
        if (micro.PreNorm != NormKind.None) p.Norm($"{name}.ops.{op++}", Layers.NormLabel(micro.PreNorm), inner, innerMap);
        if (micro.Op != TokenMixerKind.Identity) TokenMixers.Profile(p, $"{name}.ops.{op++}", micro.Op, inner, h, w, spatialFcBias: true);
        if (micro.PostNorm != NormKind.None) p.Norm($"{name}.ops.{op++}", Layers.NormLabel(micro.PostNorm), inner, innerMap);
        if (micro.Activation != ActivationKind.None) p.Free($"{name}.ops.{op}", BurgerFormerVocabulary.Name(micro.Activation), innerMap);
        if (ratio > 0) p.Linear(name + ".expand_end.0", inner, dim, map, positions, kind: "conv1x1");
    }
}
