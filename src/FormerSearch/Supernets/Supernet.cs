using FormerSearch.Models;
using FormerSearch.Spaces;

namespace FormerSearch.Supernets;

/// <summary>
/// A weight-sharing supernet: the largest weights of every choice of its space. <see cref="Activate"/> selects a subnet;
/// forward and backward then cost what that subnet costs, using views (sub-blocks) of the shared weights, and gradients
/// land only in the active slices. <see cref="Extract"/> copies the active slices into the zoo's standalone model.
/// </summary>
public abstract class Supernet : VisionModel
{
    /// <summary>A supernet of <paramref name="space"/> for <paramref name="input"/> images.</summary>
    protected Supernet(ISearchSpace space, ModelInput input) : base(input) => Space = space;

    /// <summary>The space whose architectures this supernet holds.</summary>
    public ISearchSpace Space { get; }

    /// <summary>The active subnet's architecture.</summary>
    public Architecture Active { get; private set; } = null!;

    /// <summary>Makes <paramref name="architecture"/> the active subnet.</summary>
    /// <exception cref="ArgumentException">The architecture is not valid in <see cref="Space"/>.</exception>
    public void Activate(Architecture architecture)
    {
        var canonical = Space.Validate(architecture);
        OnActivate(canonical);
        Active = canonical;
    }

    /// <summary>The standalone model of <paramref name="architecture"/> holding copies of the supernet's slices: its outputs equal the supernet's with that subnet active, in train and eval mode.</summary>
    /// <exception cref="ArgumentException">The architecture is not valid in <see cref="Space"/>.</exception>
    public VisionModel Extract(Architecture architecture)
    {
        var canonical = Space.Validate(architecture);
        return OnExtract(canonical);
    }

    /// <summary>Selects the slices and alternatives of a validated architecture.</summary>
    protected abstract void OnActivate(Architecture architecture);

    /// <summary>Builds the standalone model of a validated architecture with the active slices copied in.</summary>
    protected abstract VisionModel OnExtract(Architecture architecture);
}
