using System.Buffers.Binary;
using System.Text;
using FormerSearch.Testing;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// Corrupt files handed to <c>former</c> as a user would: each command exits with 2, prints one line on standard error
/// without a stack trace, and leaves an existing output file as it was.
/// </summary>
public sealed class HostileInputCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-hostile-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    // Runs former; asserts exit 2, one line naming the file, no stack trace, and the output untouched.
    private void Refused(string namedFile, string? output, params string[] args)
    {
        const string Before = "an earlier output that a refused command must not touch\n";
        if (output is not null) File.WriteAllText(output, Before);
        var r = FormerProcess.Run(args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.StdErr}");
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.DoesNotContain("Exception", r.StdErr);
        Assert.True(lines[0].Length <= 320, lines[0]);
        Assert.Contains(Path.GetFileName(namedFile), lines[0]);
        if (output is not null) Assert.Equal(Before, File.ReadAllText(output));
    }

    [Fact]
    public void Report_refuses_a_study_without_its_candidates_table_and_a_file_that_is_not_sqlite()
    {
        string study = P("nocandidates.sqlite");
        SqliteScript.Run(study, "CREATE TABLE study(key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO study VALUES ('format', 'formersearch-study-1'), ('space', 'glit'), ('preset', 'mini'), ('space_json', '{}');");
        Refused(study, P("report.html"), "report", "--study", study, "--output", P("report.html"));
        string text = P("notes.sqlite");
        File.WriteAllText(text, "not a database at all, only a few words of text that are long enough for a header\n");
        Refused(text, P("report.html"), "report", "--study", text, "--output", P("report.html"));
    }

    [Fact]
    public void Convert_refuses_a_safetensors_name_that_is_not_utf8_and_a_header_one_byte_short()
    {
        var header = Encoding.UTF8.GetBytes("{\"bad\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ");
        header[2] = 0xC3;
        header[3] = 0x28;
        var bytes = new byte[8 + header.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(P("utf8.safetensors"), bytes);
        Refused(P("utf8.safetensors"), P("out.safetensors"), "convert", P("utf8.safetensors"), P("out.safetensors"));

        var valid = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ");
        bytes = new byte[8 + valid.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)valid.Length - 1);
        valid.CopyTo(bytes, 8);
        File.WriteAllBytes(P("short.safetensors"), bytes);
        Refused(P("short.safetensors"), P("out.safetensors"), "convert", P("short.safetensors"), P("out.safetensors"));
    }

    [Theory]
    [InlineData("big.yaml", "RETRAIN:\n  MLP_RATIO: 4.0\n  NUM_HEADS: 4\n  EMBED_DIM: 1e30\n  DEPTH: 12\n")]
    [InlineData("deep.yaml", "RETRAIN: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n")]
    [InlineData("deep.py", "{'stage-1': {'macro': [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n")]
    [InlineData("width.py", "{'stage-1': {'macro': {'depth': 1e30, 'width': 32, 'ratio': 4}}}\n")]
    public void Profile_refuses_absurd_or_deeply_nested_architecture_files(string name, string text)
    {
        File.WriteAllText(P(name), text);
        Refused(P(name), null, "profile", "--arch", P(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"space\": \"autoformer\", \"preset\": \"mini\", \"input\": [1, 28, 28], \"num_classes\": 10, \"dataset\": \"no-such-data\", \"val_size\": 10, \"seed\": 1}")]
    [InlineData("{\"space\": \"autoformer\", \"preset\": \"mini\", \"input\": [1, 28, 28], \"num_classes\": 10, \"dataset\": \"fashion-mnist\", \"val_size\": -5, \"seed\": 1}")]
    public void Extract_refuses_a_damaged_space_json_before_any_work(string spaceJson)
    {
        Directory.CreateDirectory(P("sn"));
        File.WriteAllText(P("sn/space.json"), spaceJson);
        File.WriteAllText(P("arch.json"), "{}");
        Refused("space.json", P("subnet.safetensors"), "extract", "--supernet", P("sn"), "--arch", P("arch.json"), "--output", P("subnet.safetensors"));
    }
}
