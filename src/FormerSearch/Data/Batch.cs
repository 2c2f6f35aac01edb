using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// One batch from a <see cref="DataLoader"/>: normalised images, their labels and, when mixup or
/// cutmix is on, the soft targets to train against.
/// </summary>
/// <remarks>
/// Ownership: the tensors are ordinary (not scope-pooled) tensors over arrays the batch owns, valid
/// until <see cref="Dispose"/>. Disposing hands the image array back to the loader for a later
/// batch (saving a large allocation per step); after that the tensors must not be used. A batch
/// that is never disposed is simply collected by the GC. Using the tensors inside a
/// <see cref="Engine.Memory.TensorScope"/> is fine: the scope does not own them.
/// </remarks>
public sealed class Batch : IDisposable
{
    private DataLoader? _owner;
    private float[]? _imageBuffer;

    internal Batch(DataLoader owner, float[] imageBuffer, Tensor images, int[] labels, Tensor? softTargets, int epoch, int index)
    {
        _owner = owner;
        _imageBuffer = imageBuffer;
        Images = images;
        Labels = labels;
        SoftTargets = softTargets;
        Epoch = epoch;
        Index = index;
    }

    /// <summary>Images <c>[B, H, W, C]</c>, float32, normalised, at the loader's input size.</summary>
    public Tensor Images { get; }

    /// <summary>The original (unmixed) label of each image, for accuracy and for the hard-label loss.</summary>
    public int[] Labels { get; }

    /// <summary>Mixed (and label-smoothed) targets <c>[B, K]</c>, each row summing to 1, when mixup/cutmix is on; null otherwise.</summary>
    public Tensor? SoftTargets { get; }

    /// <summary>The epoch it belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Its position in the epoch (0-based).</summary>
    public int Index { get; }

    /// <summary>Number of images (the batch size, or fewer for a last partial batch).</summary>
    public int Count => Labels.Length;

    /// <summary>Returns the image buffer to the loader; the tensors must not be used afterwards. Calling it twice is harmless.</summary>
    public void Dispose()
    {
        var owner = Interlocked.Exchange(ref _owner, null);
        if (owner is not null && _imageBuffer is not null) owner.ReturnBuffer(_imageBuffer);
        _imageBuffer = null;
    }
}
