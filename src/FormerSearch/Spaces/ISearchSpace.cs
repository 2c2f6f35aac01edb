using System.Numerics;
using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Models.Profiling;
using FormerSearch.Supernets;

namespace FormerSearch.Spaces;

/// <summary>
/// A search space: named discrete choices and everything search needs from them. Search algorithms and samplers see
/// only this interface, so each works on every space. Architectures hold only their active choices (no layer beyond
/// the sampled depth), in the order of <see cref="Choices"/>.
/// </summary>
public interface ISearchSpace
{
    /// <summary>Space name: <c>autoformer</c>, <c>glit</c>, <c>burger</c>.</summary>
    string Name { get; }

    /// <summary>Preset the space was built with (<c>mini</c>, <c>imagenet</c>, <c>tiny</c>…).</summary>
    string Preset { get; }

    /// <summary>Every choice, including those only active in some architectures, in canonical order.</summary>
    IReadOnlyList<Choice> Choices { get; }

    /// <summary>The input the preset is meant for (e.g. 1×28×28 for <c>mini</c>, 3×224×224 for <c>imagenet</c>).</summary>
    ModelInput DefaultInput { get; }

    /// <summary>Number of distinct architectures.</summary>
    BigInteger Count { get; }

    /// <summary>A random architecture under the space's own sampling rules.</summary>
    Architecture Sample(Generator rng);

    /// <summary>Every size choice at its smallest (operations at the space's smallest-cost defaults).</summary>
    Architecture Smallest();

    /// <summary>Every size choice at its largest (operations at the space's largest-cost defaults).</summary>
    Architecture Largest();

    /// <summary>
    /// <paramref name="architecture"/> with every <see cref="ChoiceKind.Size"/> choice taken from <paramref name="sizes"/>
    /// (BurgerFormer's hybrid sampling: the same micro/meso choices at the smallest or largest macro choices).
    /// </summary>
    Architecture WithSizesOf(Architecture architecture, Architecture sizes);

    /// <summary>A mutation of <paramref name="parent"/> in the space's own terms (AutoFormer: depth with P_d, each layer's choices with P_m).</summary>
    Architecture Mutate(Architecture parent, MutationSettings settings, Generator rng);

    /// <summary>A crossover of two parents: per choice, one parent's value; the result is valid.</summary>
    Architecture Crossover(Architecture a, Architecture b, Generator rng);

    /// <summary>The canonical form of <paramref name="architecture"/> (space order, inactive choices dropped) after checking it.</summary>
    /// <exception cref="UserInputException">Another space or preset, a missing or unknown choice, a value the choice does not allow, or a broken rule of the space; the message names it.</exception>
    Architecture Validate(Architecture architecture);

    /// <summary>Analytic params and MACs of the standalone model (nothing built).</summary>
    ModelProfile Profile(Architecture architecture, ModelOptions options);

    /// <summary>The standalone model of <paramref name="architecture"/>, from the zoo, with fresh weights.</summary>
    VisionModel CreateModel(Architecture architecture, ModelOptions options);

    /// <summary>Refuses <see cref="HeadSplitWeights.Shared"/> in a space without head splits (every space but GLiT's).</summary>
    /// <exception cref="UserInputException">The space has no head splits to share.</exception>
    void CheckHeadSplits(HeadSplitWeights headSplits);

    /// <summary>The supernet holding the largest weights of every choice, its head splits' weights as <paramref name="headSplits"/> says.</summary>
    /// <exception cref="UserInputException">The space has no head splits to share (only GLiT's has).</exception>
    Supernet CreateSupernet(ModelOptions options, HeadSplitWeights headSplits = HeadSplitWeights.Own);
}
