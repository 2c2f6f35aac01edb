namespace FormerSearch.Data;

/// <summary>
/// Where a data set's uint8 pixels live: an array in memory (IDX, CIFAR, .npy) or a memory-mapped decoded cache of an
/// image folder (<see cref="Folders.MappedPixels"/>), which the operating system pages in as batches read it.
/// </summary>
internal abstract class PixelStore
{
    /// <summary>Bytes held.</summary>
    public abstract long Length { get; }

    /// <summary>The bytes at [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>).</summary>
    public abstract ReadOnlySpan<byte> Slice(long offset, int length);
}
