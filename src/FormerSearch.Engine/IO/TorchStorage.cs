namespace FormerSearch.Engine.IO;

/// <summary>
/// One storage of a checkpoint, as its persistent id describes it: the record <c>data/KEY</c> of the archive holding
/// <see cref="Numel"/> elements of <see cref="Type"/>. Its bytes are read only when a tensor that is taken needs them.
/// </summary>
internal sealed class TorchStorage(string key, TorchStorageType type, long numel)
{
    /// <summary>The record's name under <c>data/</c>.</summary>
    public string Key { get; } = key;

    /// <summary>The element type.</summary>
    public TorchStorageType Type { get; } = type;

    /// <summary>Elements the storage holds.</summary>
    public long Numel { get; } = numel;

    /// <summary>Bytes the record must have.</summary>
    public long ByteLength => Numel * Type.ElementSize;
}
