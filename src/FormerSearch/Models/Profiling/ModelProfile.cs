namespace FormerSearch.Models.Profiling;

/// <summary>
/// Analytic size of a model for one input: parameters and multiply-accumulates per image, with the
/// per-layer rows they sum. MACs follow fvcore's convention: convolutions, linear layers and the two
/// attention matrix products (q·kᵀ and attn·v) are counted; norms, activations, pooling, softmax,
/// residual additions and layer scales are not (fvcore's defaults also count GroupNorm/LayerNorm, which is
/// why PoolFormer's published GMACs are slightly higher than ours).
/// </summary>
public sealed record ModelProfile(string Model, ModelInput Input, int NumClasses, long Params, long Macs, IReadOnlyList<LayerCost> Layers);
