using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Search;
using FormerSearch.Supernets;

namespace FormerSearch.Spaces;

/// <summary>
/// What the spaces of the zoo's families share: a name and preset, the preset's <typeparamref name="TSettings"/>, the
/// choices in a <see cref="ChoiceTable"/> (which validates and orders architectures), and the zoo configuration
/// <typeparamref name="TConfig"/> of each architecture. A space writes its choices, its sampling, mutation and crossover
/// rules and how an architecture becomes a configuration.
/// </summary>
/// <typeparam name="TSettings">The preset's frame and the values each choice may take.</typeparam>
/// <typeparam name="TConfig">The zoo family's architecture record.</typeparam>
/// <param name="name">The registered name.</param>
/// <param name="preset">The preset's name.</param>
/// <param name="settings">The preset's settings.</param>
/// <param name="defaultInput">The image the preset is meant for.</param>
/// <remarks>The constructor of a space sets <see cref="Table"/> and <see cref="Count"/>.</remarks>
public abstract class SearchSpace<TSettings, TConfig>(string name, string preset, TSettings settings, ModelInput defaultInput) : ISearchSpace
    where TConfig : IModelConfig
{
    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public string Preset { get; } = preset;

    /// <summary>The preset's frame and the values each choice may take.</summary>
    public TSettings Settings { get; } = settings;

    /// <inheritdoc/>
    public ModelInput DefaultInput { get; } = defaultInput;

    /// <inheritdoc/>
    public IReadOnlyList<Choice> Choices => Table.Choices;

    /// <inheritdoc/>
    public BigInteger Count { get; protected init; }

    /// <summary>The choices, their activity conditions and the space's rules.</summary>
    protected ChoiceTable Table { get; init; } = null!;

    /// <summary>
    /// The canonical form of <paramref name="architecture"/>: choices in the space's order, numbers in canonical text
    /// (<c>4.0</c> becomes <c>4</c>), choices that others make inactive dropped (their values must still be allowed ones).
    /// </summary>
    /// <exception cref="UserInputException">Another space or preset, a missing, unknown or disallowed choice, or a broken rule; the message names it.</exception>
    public Architecture Validate(Architecture architecture) => Table.Validate(architecture);

    /// <summary>The zoo configuration of <paramref name="architecture"/>.</summary>
    /// <exception cref="UserInputException">The architecture is not valid in this space.</exception>
    public abstract TConfig ToConfig(Architecture architecture);

    /// <inheritdoc/>
    public abstract Architecture Sample(Generator rng);

    /// <inheritdoc/>
    public abstract Architecture Smallest();

    /// <inheritdoc/>
    public abstract Architecture Largest();

    /// <inheritdoc/>
    public abstract Architecture WithSizesOf(Architecture architecture, Architecture sizes);

    /// <inheritdoc/>
    public abstract Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng);

    /// <inheritdoc/>
    public abstract Architecture Crossover(Architecture a, Architecture b, Generator rng);

    /// <inheritdoc/>
    public abstract ModelProfile Profile(Architecture architecture, ModelOptions options);

    /// <inheritdoc/>
    public abstract VisionModel CreateModel(Architecture architecture, ModelOptions options);

    /// <inheritdoc/>
    public abstract Supernet CreateSupernet(ModelOptions options, HeadSplitWeights headSplits = HeadSplitWeights.Own);

    /// <summary>Whether the space's blocks have head splits whose weights a supernet may share (GLiT's).</summary>
    protected virtual bool HasHeadSplits => false;

    /// <inheritdoc/>
    public void CheckHeadSplits(HeadSplitWeights headSplits)
    {
        if (headSplits != HeadSplitWeights.Own && !HasHeadSplits)
            throw new UserInputException($"--head-splits {KindNames.Of(headSplits)} is for the glit space; the {Name} space has no head splits to share.");
    }
}
