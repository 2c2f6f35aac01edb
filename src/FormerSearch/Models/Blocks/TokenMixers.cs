using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// The token mixers of the MetaFormer-shaped families (PoolFormer and its baselines, BurgerFormer's ops), each built and
/// profiled here once. Every mixer maps a channels-last map <c>[B, H, W, C]</c> to one of the same shape.
/// </summary>
public static class TokenMixers
{
    /// <summary>
    /// Mixer <paramref name="kind"/> over <paramref name="dim"/> channels of an <paramref name="height"/>×<paramref name="width"/>
    /// map: attention in <paramref name="numHeads"/> heads, pooling over a <paramref name="poolSize"/> window, a spatial FC with
    /// a per-position bias when <paramref name="spatialFcBias"/>. Convolutions draw PyTorch's default; the linear layers of
    /// attention and the spatial FC are then re-drawn from trunc_normal(0.02) with zero biases, as both official codes do.
    /// </summary>
    /// <exception cref="ArgumentException">A size does not suit the mixer (heads that do not divide the width, an even window).</exception>
    public static Layer Create(TokenMixerKind kind, int dim, int numHeads, int height, int width, Generator generator, int poolSize = 3, bool spatialFcBias = false)
    {
        switch (kind)
        {
            case TokenMixerKind.DepthwiseConv3x3:
                return new Conv2d(dim, dim, 3, 1, 1, groups: dim, generator: generator);
            case TokenMixerKind.Conv1x1:
                return new Conv1x1(dim, dim, generator: generator);
            case TokenMixerKind.Pooling:
                return new Pooling(poolSize);
            case TokenMixerKind.Attention:
                var attention = new Attention(dim, numHeads, generator);
                Layers.TruncNormalInitChildren(attention, generator);
                return attention;
            case TokenMixerKind.SpatialFc:
                var fc = new SpatialFc(height, width, generator, spatialFcBias);
                Layers.TruncNormalInitChildren(fc, generator);
                return fc;
            default:
                return new Identity();
        }
    }

    /// <summary>The profile rows of <see cref="Create"/>'s mixer, named <paramref name="name"/>.</summary>
    public static void Profile(ProfileBuilder p, string name, TokenMixerKind kind, int dim, int height, int width, bool spatialFcBias = false)
    {
        int positions = height * width;
        int[] map = [height, width, dim];
        switch (kind)
        {
            case TokenMixerKind.DepthwiseConv3x3:
                p.Conv2d(name, dim, dim, 3, 1, 1, height, width, groups: dim);
                break;
            case TokenMixerKind.Conv1x1:
                p.Linear(name, dim, dim, map, positions, kind: "conv1x1");
                break;
            case TokenMixerKind.Pooling:
                p.Free(name, "pooling", map);
                break;
            case TokenMixerKind.Attention:
                Attention.Profile(p, name, positions, dim, map);
                break;
            case TokenMixerKind.SpatialFc:
                // One N×N map (with a bias per position if any) applied to each of the C channel columns.
                p.Linear(name + ".fc", positions, positions, map, dim, bias: spatialFcBias);
                break;
            default:
                p.Free(name, "identity", map);
                break;
        }
    }
}
