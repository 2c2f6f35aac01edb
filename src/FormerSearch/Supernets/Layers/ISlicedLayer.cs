namespace FormerSearch.Supernets.Layers;

/// <summary>
/// A supernet layer that holds its largest weights and knows its active slice (set by its <c>Activate</c>): leading
/// rows and columns, row bands, a centre-cropped kernel. Extraction copies <see cref="ActiveState"/> into the
/// standalone layer; gradient checks read the same views.
/// </summary>
public interface ISlicedLayer
{
    /// <summary>The layer's own parameters and buffers (not its children's) cut to the active slice, under the layer's own names.</summary>
    IEnumerable<ActiveTensor> ActiveState();
}
