using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>
/// A GLiT layer as the official <c>RetrainTransformer</c> keeps it: a leftover of its supernet, a one-element
/// <c>nn.ModuleList</c> of candidates holding the chosen block, hence the <c>.0</c> in <c>blocks.{i}.0.norm1.weight</c>.
/// </summary>
public sealed class GlitCandidateList : Layer
{
    private readonly Layer _chosen;

    /// <summary>The list holding <paramref name="chosen"/> as its candidate <c>0</c>.</summary>
    public GlitCandidateList(Layer chosen) => _chosen = RegisterModule("0", chosen);

    /// <summary>The chosen block's output.</summary>
    public override Tensor Forward(Tensor x) => _chosen.Forward(x);
}
