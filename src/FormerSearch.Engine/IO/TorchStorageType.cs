using Razorvine.Pickle;

namespace FormerSearch.Engine.IO;

/// <summary>
/// A <c>torch.*Storage</c> global (<c>torch.FloatStorage</c>, …): the element type of the storages a persistent id names.
/// Never called — a pickle that tries is malformed.
/// </summary>
internal sealed class TorchStorageType(string name, TorchDType dtype, int elementSize) : IObjectConstructor
{
    /// <summary>The global's name, e.g. <c>FloatStorage</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The element type.</summary>
    public TorchDType DType { get; } = dtype;

    /// <summary>Bytes per element.</summary>
    public int ElementSize { get; } = elementSize;

    /// <summary>Every storage type the reader knows.</summary>
    public static readonly TorchStorageType[] All =
    [
        new("FloatStorage", TorchDType.Float32, 4), new("HalfStorage", TorchDType.Float16, 2), new("BFloat16Storage", TorchDType.BFloat16, 2),
        new("DoubleStorage", TorchDType.Float64, 8), new("LongStorage", TorchDType.Int64, 8), new("IntStorage", TorchDType.Int32, 4),
        new("ShortStorage", TorchDType.Int16, 2), new("CharStorage", TorchDType.Int8, 1), new("ByteStorage", TorchDType.UInt8, 1),
        new("BoolStorage", TorchDType.Bool, 1),
    ];

    /// <inheritdoc/>
    public object construct(object[] args) => throw new PickleException($"torch.{Name} is a storage type, not something a checkpoint calls");
}
