using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Supernets;

/// <summary>
/// A weight-sharing supernet: the largest weights of every choice of its space. <see cref="Activate"/> selects a subnet;
/// forward and backward then cost what that subnet costs, using views (sub-blocks) of the shared weights, and gradients
/// land only in the active slices. <see cref="Extract"/> copies the active slices into the zoo's standalone model,
/// walking the module tree (<see cref="SubnetExtraction"/>): a supernet's active modules mirror its standalone model's,
/// and each sliced layer (<see cref="ISlicedLayer"/>) knows its active slice.
/// </summary>
public abstract class Supernet : VisionModel
{
    /// <summary>
    /// A supernet of <paramref name="space"/> for <paramref name="options"/>' input, classes, rates and seed, its weights,
    /// dropout and drop-path masks drawn from one generator seeded by it (<see cref="VisionModel.Randomness"/>).
    /// </summary>
    /// <exception cref="UserInputException">The options are invalid.</exception>
    protected Supernet(ISearchSpace space, ModelOptions options) : base(options)
    {
        Space = space;
        Options = options;
    }

    /// <summary>The space whose architectures this supernet holds.</summary>
    public ISearchSpace Space { get; }

    /// <summary>The options the supernet was built for; extracted models get the same, with the current classes.</summary>
    protected ModelOptions Options { get; }

    /// <summary>The active subnet's architecture.</summary>
    public Architecture Active { get; private set; } = null!;

    /// <summary>Makes <paramref name="architecture"/> the active subnet.</summary>
    /// <exception cref="UserInputException">The architecture is not valid in <see cref="Space"/>.</exception>
    public void Activate(Architecture architecture)
    {
        var canonical = Space.Validate(architecture);
        OnActivate(canonical);
        Active = canonical;
    }

    /// <summary>
    /// The standalone model of <paramref name="architecture"/> (same input, classes, rates and seed) holding copies of the
    /// supernet's slices: its outputs equal the supernet's with that subnet active, in train and eval mode, and its
    /// train/eval mode is the supernet's. The active subnet stays as it was. <paramref name="dropPathRate"/>, when given,
    /// replaces the supernet's stochastic depth rate in the model (to fine-tune it with another; outputs in eval mode are the same).
    /// </summary>
    /// <exception cref="UserInputException">The architecture is not valid in <see cref="Space"/>, or the rate is not in [0, 1).</exception>
    public VisionModel Extract(Architecture architecture, float? dropPathRate = null)
    {
        var options = Options with { NumClasses = NumClasses, DropPathRate = dropPathRate ?? Options.DropPathRate };
        options.Validate();
        var canonical = Space.Validate(architecture);
        var previous = Active;
        OnActivate(canonical);
        try
        {
            var model = CreateStandalone(canonical, options);
            SubnetExtraction.CopyInto(this, model);
            model.Train(Training);
            return model;
        }
        finally
        {
            OnActivate(previous);
        }
    }

    /// <summary>
    /// The active subnet's weights and buffers as views of the supernet's, under the supernet's names (a tensor the
    /// subnet uses in several bands as <c>name#0</c>, <c>name#1</c>, …): what a step through this subnet may change.
    /// </summary>
    public Dictionary<string, Tensor> ActiveSlices() => SubnetExtraction.ActiveViews(this);

    /// <summary>Selects the slices and alternatives of a validated architecture.</summary>
    protected abstract void OnActivate(Architecture architecture);

    /// <summary>The zoo's standalone model of a validated architecture, with fresh weights, for <paramref name="options"/> (this supernet's with the current classes).</summary>
    protected abstract VisionModel CreateStandalone(Architecture architecture, ModelOptions options);
}
