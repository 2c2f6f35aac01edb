using FormerSearch.Engine;
using FormerSearch.Search;
using FormerSearch.Studies;
using FormerSearch.Testing;
using FormerSearch.Tests.Search;
using FormerSearch.Tests.Supernets;

namespace FormerSearch.Tests.Studies;

/// <summary>
/// Damaged studies, generated from a real one with a fixed seed: a bad value in a row (non-JSON architecture, garbage
/// key list, text or infinity where a number belongs), a missing table or column, another format, and corrupted bytes.
/// Reading it (as <c>report</c> does) and resuming its search must refuse with one sentence naming the file, never
/// draw or resume on invented numbers, never throw anything else.
/// </summary>
public sealed class StudyHostileInputTests
{
    private static readonly SynthSpace Space = new();

    // Values that no row may hold in that column: (table, column, SQL literal).
    private static readonly (string Table, string Column, string Value)[] BadValues =
    [
        ("candidates", "arch_json", "'not json'"), ("candidates", "arch_json", "'{\"space\": 1}'"), ("candidates", "arch_json", "'[]'"),
        ("candidates", "arch_json", "12"), ("candidates", "arch_json", "'{\"space\":\"synth\",\"preset\":\"default\",\"choices\":{}}'"),
        ("candidates", "val_acc", "'abc'"), ("candidates", "val_acc", "'NaN'"), ("candidates", "val_acc", "9e999"), ("candidates", "val_acc", "x'01ff'"),
        ("candidates", "test_acc", "'high'"), ("candidates", "params", "'many'"), ("candidates", "params", "-1"), ("candidates", "macs", "1.5"),
        ("candidates", "generation", "-3"), ("candidates", "parents", "'{'"), ("candidates", "parents", "'[1, 2]'"), ("candidates", "parents", "'null'"),
        ("candidates", "status", "'weird'"), ("candidates", "latency", "-9e999"), ("candidates", "latency", "'slow'"),
        ("runs", "seed", "'-1'"), ("runs", "seed", "'abc'"), ("runs", "settings", "'{'"), ("runs", "state", "'paused?'"), ("runs", "result", "'[unclosed'"),
        ("run_candidates", "parents", "'garbage'"), ("run_candidates", "generation", "'one'"),
        ("generations", "population", "'{'"), ("generations", "top", "'[3]'"), ("generations", "best_acc", "'best'"), ("generations", "best_acc", "9e999"),
    ];

    private static byte[] ValidStudy()
    {
        using var dir = new TempDir();
        string path = dir.File("valid.db");
        EvolutionSearchTests.Run(new EvolutionSearch(EvolutionSettings.Scaled(12, 3), 3), path, new SynthEvaluator(), SynthSearches.Budget);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return File.ReadAllBytes(path);
    }

    // What report reads: every run, member, generation and candidate.
    private static void ReadAll(string path)
    {
        using var study = Study.OpenExisting(path);
        foreach (var run in study.Runs())
        {
            _ = study.Members(run.Name);
            _ = study.Generations(run.Name);
        }
        _ = study.Candidates();
    }

    [Fact]
    public void Every_generated_bad_row_is_refused_naming_the_file_table_and_column()
    {
        var valid = ValidStudy();
        using var dir = new TempDir();
        var rng = new Random(1313);
        int cases = 0;
        for (int i = 0; i < 240; i++)
        {
            var (table, column, value) = BadValues[i % BadValues.Length];
            string path = dir.File($"row{i}.db");
            File.WriteAllBytes(path, valid);
            // A random row of the table (rowid order), so every position of the file is tried over the cases.
            SqliteScript.Run(path, $"UPDATE {table} SET {column} = {value} WHERE rowid = (SELECT rowid FROM {table} ORDER BY rowid LIMIT 1 OFFSET abs({rng.Next()}) % (SELECT count(*) FROM {table}));");
            var refusal = HostileInputs.Refused($"{table}.{column} = {value}", path, () => ReadAll(path));
            Assert.Contains(table, refusal.Message);
            Assert.Contains(column, refusal.Message);
            cases++;
        }
        Assert.Equal(240, cases);
    }

    [Theory]
    [InlineData("'abc'")]
    [InlineData("9e999")]
    [InlineData("'NaN'")]
    public void Resuming_a_search_over_a_non_numeric_accuracy_is_refused(string value)
    {
        var valid = ValidStudy();
        using var dir = new TempDir();
        string path = dir.File("resume.db");
        File.WriteAllBytes(path, valid);
        SqliteScript.Run(path, $"UPDATE candidates SET val_acc = {value} WHERE rowid = 2;");
        var refusal = HostileInputs.Refused("resume", path, () =>
            EvolutionSearchTests.Run(new EvolutionSearch(EvolutionSettings.Scaled(12, 3), 3), path, new SynthEvaluator(), SynthSearches.Budget, resume: true));
        Assert.Contains("val_acc", refusal.Message);
    }

    [Theory]
    [InlineData("DROP TABLE candidates;", "candidates")]
    [InlineData("DROP TABLE generations;", "generations")]
    [InlineData("DROP TABLE runs;", "runs")]
    [InlineData("ALTER TABLE candidates DROP COLUMN test_seconds;", "test_seconds")]
    [InlineData("UPDATE study SET value = 'formersearch-study-2' WHERE key = 'format';", "newer")]
    [InlineData("UPDATE study SET value = 'something else' WHERE key = 'format';", "not a FormerSearch study")]
    [InlineData("DROP TABLE study;", "no study table")]
    public void A_study_without_its_schema_or_of_another_version_is_refused_when_opened(string sql, string what)
    {
        var valid = ValidStudy();
        using var dir = new TempDir();
        string path = dir.File("schema.db");
        File.WriteAllBytes(path, valid);
        SqliteScript.Run(path, sql);
        Assert.Contains(what, HostileInputs.Refused(sql, path, () => ReadAll(path)).Message);
        Assert.Contains(what, HostileInputs.Refused(sql, path, () => Study.OpenOrCreate(path, Space).Dispose()).Message);
    }

    [Fact]
    public void A_study_without_its_space_entry_cannot_be_read()
    {
        var valid = ValidStudy();
        using var dir = new TempDir();
        string path = dir.File("meta.db");
        File.WriteAllBytes(path, valid);
        SqliteScript.Run(path, "DELETE FROM study WHERE key = 'space';");
        Assert.Contains("'space'", HostileInputs.Refused("no space", path, () => ReadAll(path)).Message);
    }

    [Fact]
    public void Corrupted_bytes_are_read_or_refused_never_a_crash()
    {
        var valid = ValidStudy();
        using var dir = new TempDir();
        var cases = HostileInputs.Corruptions(valid, seed: 13, count: 240, headerBytes: 100);
        int refused = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            string path = dir.File($"bytes{i}.db");
            File.WriteAllBytes(path, cases[i].Bytes);
            if (HostileInputs.Check(cases[i].Name, path, () => ReadAll(path)) is not null) refused++;
        }
        Assert.Equal(240, cases.Count);
        // Most byte damage to a small study lands in its pages and is caught; a changed digit inside a value cannot be.
        Assert.True(refused > cases.Count / 2, $"only {refused} of {cases.Count} corrupted studies refused");
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_refused()
    {
        using var dir = new TempDir();
        string path = dir.File("text.db");
        File.WriteAllText(path, "this is not a database, just some text long enough to look like a header of something.\n");
        HostileInputs.Refused("text file", path, () => ReadAll(path));
        HostileInputs.Refused("text file", path, () => Study.OpenOrCreate(path, Space).Dispose());
    }
}
