using FormerSearch.Engine;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// One tensor of a supernet layer as the active subnet uses it: views of the shared tensor that, stacked along their
/// first dimension, are the standalone layer's tensor of that name (one part for a leading slice, one per q/k/v or
/// GLU band when the active rows are not one block).
/// </summary>
/// <param name="Name">The layer's own name for the tensor (<c>weight</c>, <c>bias</c>, <c>running_mean</c>…), which is the standalone layer's.</param>
/// <param name="Parts">Views of the shared tensor, in the order they stack.</param>
public readonly record struct ActiveTensor(string Name, IReadOnlyList<Tensor> Parts)
{
    /// <summary>A tensor the subnet uses as one view.</summary>
    public ActiveTensor(string name, Tensor view) : this(name, [view]) { }
}
