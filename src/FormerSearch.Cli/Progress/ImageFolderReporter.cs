using System.Diagnostics;
using System.Globalization;
using FormerSearch.Data.Folders;

namespace FormerSearch.Cli.Progress;

/// <summary>
/// What opening an image folder shows on stderr: a live line counting decoded images on a terminal, plain lines otherwise,
/// only the skipped-file warnings under <c>--json</c>.
/// </summary>
public sealed class ImageFolderReporter(bool bar, bool quiet) : IImageFolderReporter
{
    /// <inheritdoc/>
    public void Log(string message)
    {
        if (!quiet) Console.Error.WriteLine(message);
    }

    /// <inheritdoc/>
    public void Warn(string message) => Console.Error.WriteLine(message);

    /// <inheritdoc/>
    public IDecodeProgress StartDecoding(string description, int images)
    {
        if (quiet) return SilentReporter.Instance;
        if (!bar) Console.Error.WriteLine(description + " …");
        return bar ? new DecodeLine(description, images) : SilentReporter.Instance;
    }

    // "decoding 60,000 images of DIR at 1x28x28: 12,345/60,000 (1,234 images/s)", redrawn at most ten times a second.
    private sealed class DecodeLine(string description, int total) : IDecodeProgress
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _done;
        private long _drawnAt = -1;

        public void Advance(int images)
        {
            int done = Interlocked.Add(ref _done, images);
            long now = _clock.ElapsedMilliseconds, drawn = Interlocked.Read(ref _drawnAt);
            if (now - drawn < 100 && done < total) return;
            if (Interlocked.CompareExchange(ref _drawnAt, now, drawn) != drawn) return;
            Draw(done);
        }

        public void Dispose()
        {
            Draw(Volatile.Read(ref _done));
            Console.Error.WriteLine();
        }

        private void Draw(int done)
        {
            double rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
            lock (this)
                Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{description}: {done:N0}/{total:N0} ({rate:N0} images/s)"));
        }
    }
}
