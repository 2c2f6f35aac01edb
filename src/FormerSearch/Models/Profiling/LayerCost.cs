namespace FormerSearch.Models.Profiling;

/// <summary>
/// One row of a model profile: a layer (or a parameter tensor owned directly by a block, such as a
/// layer scale or a position embedding) with its per-image output shape in the engine's channels-last
/// layout, its parameter count and its multiply-accumulates for one image.
/// </summary>
/// <param name="Name">Dotted module name as in the state dict (<c>network.0.1.mlp.fc1</c>).</param>
/// <param name="Kind">Layer kind (<c>conv</c>, <c>linear</c>, <c>norm</c>, <c>attention</c>, …).</param>
/// <param name="OutputShape">Output of one image: <c>[H, W, C]</c> for feature maps, <c>[N, C]</c> for tokens, <c>[K]</c> for logits.</param>
/// <param name="Params">Parameter elements this row owns.</param>
/// <param name="Macs">Multiply-accumulates for one image (fvcore's convention).</param>
public sealed record LayerCost(string Name, string Kind, IReadOnlyList<int> OutputShape, long Params, long Macs);
