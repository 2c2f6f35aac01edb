namespace FormerSearch.Data.Folders;

/// <summary>The progress of one decoding run: advanced from the decoding threads (so thread-safe), disposed when it ends.</summary>
public interface IDecodeProgress : IDisposable
{
    /// <summary><paramref name="images"/> more images decoded (or found unreadable).</summary>
    void Advance(int images);
}
