using System.Text.Json.Nodes;
using FormerSearch.Engine;
using FormerSearch.Spaces;

namespace FormerSearch.Search;

/// <summary>
/// GLiT's hierarchical search (Sec. 3.3): stage 1 searches the <see cref="DistributionGroup"/> choices with the
/// <see cref="DetailGroup"/> choices fixed at <see cref="FixDetailsAt"/>, keeps the top <see cref="StageOneKeep"/>; stage 2
/// fixes the best distribution and searches the details. Each stage is an evolution (the paper uses SPOS's evolutionary
/// algorithm in both).
/// </summary>
public sealed record HierarchicalSettings : ISearchSettings
{
    /// <summary>Stage 1's evolution (default: 10 generations, so both stages together cost one default evolution).</summary>
    public EvolutionSettings StageOne { get; init; } = new() { Generations = 10 };

    /// <summary>Stage 2's evolution (default: 10 generations).</summary>
    public EvolutionSettings StageTwo { get; init; } = new() { Generations = 10 };

    /// <summary>Architectures stage 1 keeps (the paper's top-5); the best of them by validation accuracy is fixed in stage 2.</summary>
    public int StageOneKeep { get; init; } = 5;

    /// <summary>Group of the high-level choices (GLiT: the global/local head split per block).</summary>
    public string DistributionGroup { get; init; } = GlitChoices.DistributionGroup;

    /// <summary>Group of the low-level choices (GLiT: kernel, expansion, Q-K-V width, FFN ratio).</summary>
    public string DetailGroup { get; init; } = GlitChoices.DetailGroup;

    /// <summary>
    /// Where stage 1 fixes each detail choice: <c>middle</c> (default), <c>largest</c> or <c>smallest</c> value. The paper
    /// fixes them without giving the values in its text; the middle keeps stage 1 inside a MACs budget that the largest
    /// details would exceed for most distributions.
    /// </summary>
    public string FixDetailsAt { get; init; } = "middle";

    /// <summary>Candidates of the final result that get a test accuracy.</summary>
    public int TestTopK { get; init; } = 5;

    /// <summary>Evaluations both stages make at most.</summary>
    public int Budget => StageOne.Budget + StageTwo.Budget;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="UserInputException">Invalid stage settings, keep count or fixing rule.</exception>
    public void Validate()
    {
        StageOne.Validate();
        StageTwo.Validate();
        if (StageOneKeep < 1) throw new UserInputException($"The hierarchical search must keep at least 1 stage-1 architecture; got {StageOneKeep}.");
        if (FixDetailsAt is not ("largest" or "middle" or "smallest"))
            throw new UserInputException($"Detail choices can be fixed at largest, middle or smallest, not '{FixDetailsAt}'.");
        if (TestTopK < 0) throw new UserInputException($"The test top-k must not be negative; got {TestTopK}.");
    }

    /// <summary>The settings as JSON.</summary>
    public JsonObject ToJson() => new()
    {
        ["stage_one"] = StageOne.ToJson(),
        ["stage_two"] = StageTwo.ToJson(),
        ["stage_one_keep"] = StageOneKeep,
        ["distribution_group"] = DistributionGroup,
        ["detail_group"] = DetailGroup,
        ["fix_details_at"] = FixDetailsAt,
        ["test_top_k"] = TestTopK,
    };
}
