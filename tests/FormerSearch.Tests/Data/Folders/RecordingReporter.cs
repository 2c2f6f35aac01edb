using System.Collections.Concurrent;
using FormerSearch.Data.Folders;

namespace FormerSearch.Tests.Data.Folders;

/// <summary>Keeps what an image folder reports, for assertions.</summary>
internal sealed class RecordingReporter : IImageFolderReporter, IDecodeProgress
{
    private int _advanced;

    public ConcurrentQueue<string> Logs { get; } = new();

    public ConcurrentQueue<string> Warnings { get; } = new();

    public int Decodings { get; private set; }

    public int Advanced => _advanced;

    public void Log(string message) => Logs.Enqueue(message);

    public void Warn(string message) => Warnings.Enqueue(message);

    public IDecodeProgress StartDecoding(string description, int images)
    {
        Decodings++;
        return this;
    }

    public void Advance(int images) => Interlocked.Add(ref _advanced, images);

    public void Dispose()
    {
    }
}
