using System.IO.MemoryMappedFiles;

namespace FormerSearch.Data.Folders;

/// <summary>
/// Pixels read straight from a decoded cache file through a read-only memory map: nothing is copied into the managed
/// heap, the page cache holds what batches touch, and a cache larger than memory still works. The mapping lives as long
/// as the data sets that use it (it is released by the finaliser when they are gone, or by <see cref="Dispose"/>).
/// </summary>
internal sealed unsafe class MappedPixels : PixelStore, IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;
    private readonly long _length;
    private bool _disposed;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="path"/> from <paramref name="offset"/>.</summary>
    /// <exception cref="IOException">The file cannot be opened or mapped.</exception>
    public MappedPixels(string path, long offset, long length)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        if (stream.Length < offset + length) throw new IOException($"'{path}' is shorter than its header says.");
        _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _start = pointer + _view.PointerOffset + offset;
        _length = length;
    }

    // The view's handle is a critical finaliser object, finalised after this one: releasing the pointer here lets its own
    // finaliser unmap the file.
    ~MappedPixels() => Release(disposing: false);

    /// <inheritdoc/>
    public override long Length => _length;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Slice(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (offset < 0 || length < 0 || offset + length > _length) throw new ArgumentOutOfRangeException(nameof(offset), $"Bytes [{offset}, {offset + length}) are outside the {_length} mapped.");
        return new ReadOnlySpan<byte>(_start + offset, length);
    }

    /// <summary>Unmaps the file; spans handed out before must not be used after.</summary>
    public void Dispose()
    {
        Release(disposing: true);
        GC.SuppressFinalize(this);
    }

    private void Release(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        if (!disposing) return;
        _view.Dispose();
        _file.Dispose();
    }
}
