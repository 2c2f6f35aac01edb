using System.Diagnostics;
using FormerSearch.Engine.IO;

namespace FormerSearch.Engine.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>The id of a process that has exited (so no process runs under it, barring reuse within the test).</summary>
    internal static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    [Fact]
    public void A_write_replaces_the_file_whole_and_leaves_no_temporary()
    {
        File.WriteAllText(PathOf("a.json"), "old");
        AtomicFile.WriteAllText(PathOf("a.json"), "new ü\n");
        Assert.Equal("new ü\n"u8.ToArray(), File.ReadAllBytes(PathOf("a.json"))); // UTF-8 without a byte-order mark
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_write_that_fails_part_way_keeps_the_old_file_and_removes_its_temporary()
    {
        File.WriteAllText(PathOf("a.bin"), "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(PathOf("a.bin"), stream =>
        {
            stream.Write(new byte[1000]);
            throw new IOException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(PathOf("a.bin")));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_copy_is_byte_identical()
    {
        var bytes = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(PathOf("src"), bytes);
        AtomicFile.Copy(PathOf("src"), PathOf("dst"));
        Assert.Equal(bytes, File.ReadAllBytes(PathOf("dst")));
    }

    [Theory]
    [InlineData("checkpoint.safetensors.tmp-1234", 1234)]
    [InlineData("checkpoint.safetensors.tmp-1234-17", 1234)]
    [InlineData("x.tmp-5.tmp-99-1", 99)]
    [InlineData("checkpoint.safetensors.tmp", null)]
    [InlineData("checkpoint.safetensors.tmp-abc", null)]
    [InlineData("checkpoint.safetensors.tmp-0", null)]
    [InlineData("model.safetensors", null)]
    public void The_writer_id_is_read_from_the_temporary_name(string name, int? pid) => Assert.Equal(pid, AtomicFile.WriterId(name));

    [Fact]
    public void Stale_temporaries_of_dead_writers_go_and_live_writers_keep_theirs()
    {
        int dead = DeadProcessId();
        string stale = PathOf($"checkpoint.safetensors.tmp-{dead}"), staleNumbered = PathOf($"metrics.jsonl.tmp-{dead}-3");
        string live = PathOf($"checkpoint.safetensors.tmp-{Environment.ProcessId}-1");
        // An id now running a process that started after the temporary was last written: the writer is gone, the id reused.
        string reused = PathOf($"model.safetensors.tmp-{Environment.ProcessId}-2");
        string other = PathOf("notes.tmp"), data = PathOf("model.safetensors");
        foreach (var f in new[] { stale, staleNumbered, live, reused, other, data }) File.WriteAllBytes(f, new byte[64]);
        File.SetLastWriteTimeUtc(reused, Process.GetCurrentProcess().StartTime.ToUniversalTime() - TimeSpan.FromHours(1));

        Assert.Equal(3, AtomicFile.RemoveStale(_dir));
        Assert.Equal(new[] { live, data, other }.Order(), Directory.GetFiles(_dir).Order());
    }

    [Fact]
    public void Writing_a_file_removes_the_stale_temporaries_of_that_file_alone()
    {
        int dead = DeadProcessId();
        File.WriteAllBytes(PathOf($"a.json.tmp-{dead}"), new byte[8]);
        File.WriteAllBytes(PathOf($"b.json.tmp-{dead}"), new byte[8]);
        AtomicFile.WriteAllText(PathOf("a.json"), "{}");
        Assert.Equal(new[] { PathOf("a.json"), PathOf($"b.json.tmp-{dead}") }.Order(), Directory.GetFiles(_dir).Order());
    }
}
