namespace FormerSearch.Engine.IO;

/// <summary>
/// A file being written atomically (see <see cref="AtomicFile"/>): write into <see cref="Stream"/>, then <see cref="Commit"/>
/// flushes it to disk and renames it over the path. Disposed without a commit (an exception part-way), the temporary is
/// deleted and the path keeps its old content.
/// </summary>
public sealed class AtomicWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly string _path;
    private bool _done;

    internal AtomicWriter(string path, string temp)
    {
        _path = path;
        Temp = temp;
        _file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
    }

    /// <summary>The temporary file's path.</summary>
    public string Temp { get; }

    /// <summary>Where the content goes.</summary>
    public Stream Stream => _file;

    /// <summary>Flushes the content to disk and renames the temporary over the path.</summary>
    /// <exception cref="IOException">The disk refused the write, or the path is a folder (the temporary is deleted on dispose).</exception>
    /// <exception cref="InvalidOperationException">Committed twice.</exception>
    public void Commit()
    {
        if (_done) throw new InvalidOperationException("The file was already committed.");
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        File.Move(Temp, _path, overwrite: true);
        _done = true;
    }

    /// <summary>Closes the temporary and, unless committed, deletes it.</summary>
    public void Dispose()
    {
        _file.Dispose();
        if (!_done && File.Exists(Temp)) File.Delete(Temp);
        _done = true;
    }
}
