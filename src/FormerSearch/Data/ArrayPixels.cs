namespace FormerSearch.Data;

/// <summary>Pixels held in one array (wrapped, not copied).</summary>
internal sealed class ArrayPixels(byte[] bytes) : PixelStore
{
    /// <summary>The array.</summary>
    public byte[] Bytes { get; } = bytes;

    /// <inheritdoc/>
    public override long Length => Bytes.LongLength;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Slice(long offset, int length) => Bytes.AsSpan(checked((int)offset), length);
}
