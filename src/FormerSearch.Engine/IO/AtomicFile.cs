using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FormerSearch.Engine.IO;

/// <summary>
/// The one way files are written: the bytes go to a temporary <c>PATH.tmp-PID-N</c> in the same folder (so the rename
/// never crosses file systems), are flushed to disk, and the temporary is renamed over the path. Readers, and a run
/// resumed after a kill, see the old file or the whole new one, never a part. A writer killed part-way leaves its
/// temporary; <see cref="RemoveStale"/> removes those of writers that are gone.
/// </summary>
public static class AtomicFile
{
    private const string Marker = ".tmp-";

    // A process that started this long after a temporary was last written did not write it (its id was reused). The
    // margin covers the start time's coarse clock (boot time in whole seconds).
    private static readonly TimeSpan StartTimeSlack = TimeSpan.FromSeconds(2);

    private static int _sequence;

    /// <summary>
    /// Starts writing <paramref name="path"/> atomically (removing the stale temporaries of earlier writers of it first):
    /// write into the writer's stream, then commit; disposed uncommitted, it leaves the path as it was.
    /// </summary>
    /// <exception cref="IOException">The folder does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public static AtomicWriter Create(string path)
    {
        string full = Path.GetFullPath(path);
        RemoveStale(Path.GetDirectoryName(full)!, Path.GetFileName(full) + Marker);
        return new AtomicWriter(full, $"{full}{Marker}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts into the stream, atomically.</summary>
    /// <exception cref="IOException">The folder does not exist, the path is a folder, or the disk refused the write (the old file is intact, no temporary is left).</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file is not writable.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var writer = Create(path);
        write(writer.Stream);
        writer.Commit();
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark (as <see cref="File.WriteAllText(string, string)"/>), atomically.</summary>
    /// <exception cref="IOException">As <see cref="Write"/>.</exception>
    /// <exception cref="UnauthorizedAccessException">As <see cref="Write"/>.</exception>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/>, atomically.</summary>
    /// <exception cref="IOException">As <see cref="Write"/>.</exception>
    /// <exception cref="UnauthorizedAccessException">As <see cref="Write"/>.</exception>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>Copies <paramref name="source"/> to <paramref name="path"/>, atomically (an existing file is replaced only by a whole copy).</summary>
    /// <exception cref="IOException">As <see cref="Write"/>, or the source cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">As <see cref="Write"/>.</exception>
    public static void Copy(string source, string path) => Write(path, stream =>
    {
        using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        from.CopyTo(stream);
    });

    /// <summary>
    /// Removes the temporaries in <paramref name="folder"/> (not its subfolders) left by writers that are gone: whose process
    /// id is not running, or is running a process that started after the temporary was last written (the id was reused).
    /// A live writer's temporary is never removed. Returns how many were removed.
    /// </summary>
    public static int RemoveStale(string folder) => RemoveStale(folder, "");

    private static int RemoveStale(string folder, string prefix)
    {
        if (!Directory.Exists(folder)) return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(folder, prefix.Length > 0 ? prefix + "*" : "*" + Marker + "*"))
        {
            if (WriterId(Path.GetFileName(file)) is not { } pid || WriterMayBeAlive(pid, file)) continue;
            try
            {
                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's file we may not delete: it stays, as it would have without us.
            }
        }
        return removed;
    }

    /// <summary>The writer's process id in a temporary's name <c>NAME.tmp-PID[-N]</c>, or null when the name is not one.</summary>
    internal static int? WriterId(string fileName)
    {
        int at = fileName.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var rest = fileName.AsSpan(at + Marker.Length);
        int dash = rest.IndexOf('-');
        if (dash >= 0) rest = rest[..dash];
        return int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
    }

    private static bool WriterMayBeAlive(int pid, string file)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        using (process)
        {
            try
            {
                if (process.HasExited) return false;
                return process.StartTime.ToUniversalTime() <= File.GetLastWriteTimeUtc(file) + StartTimeSlack;
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException or IOException)
            {
                return true; // cannot tell: keep it
            }
        }
    }
}
