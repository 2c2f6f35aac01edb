using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Spaces;
using System.Data.Common;
using FormerSearch.Engine;
using Microsoft.Data.Sqlite;
using FormerSearch.Engine.IO;

namespace FormerSearch.Studies;

/// <summary>
/// A search study: one SQLite file (WAL mode), or one schema of a PostgreSQL database (<c>postgresql://USER@HOST/DB?study=NAME</c>,
/// shared by workers on several machines), holding the search space, every candidate any run drew with its costs and
/// accuracies, the runs (algorithm, settings, seed, result) and each run's state per generation.
/// <para>
/// Resume is replay: search algorithms are deterministic given their seed, and every evaluation is memoised here by canonical
/// key, so re-running an algorithm on its study replays finished work from the file and continues where it stopped — a
/// search killed at any moment ends with the same result as an uninterrupted one. Several processes may work on one study:
/// a candidate is claimed (status, claimant, heartbeat) before it is evaluated, so it is evaluated once; the others poll for
/// the result, and a claim whose heartbeat is older than <see cref="HeartbeatTimeout"/> (or whose process on this machine
/// has died) is taken over. Every write is one transaction, so an error never leaves a half-written study.
/// </para>
/// </summary>
public sealed partial class Study : IDisposable
{
    private const string FormatPrefix = "formersearch-study-";
    private const string Format = FormatPrefix + "1";

    // Every table and column the code reads, checked when a study is opened (the schema below creates them).
    private static readonly (string Table, string[] Columns)[] Tables =
    [
        ("study", ["key", "value"]),
        ("candidates", ["key", "arch_json", "params", "macs", "latency", "val_acc", "test_acc", "generation", "parents", "run", "status", "claimant", "heartbeat", "eval_seconds", "test_seconds"]),
        ("latencies", ["key", "value"]),
        ("runs", ["name", "algorithm", "settings", "seed", "state", "result", "started", "finished"]),
        ("run_candidates", ["run", "ordinal", "key", "generation", "origin", "parents"]),
        ("generations", ["run", "generation", "population", "top", "best_acc"]),
    ];

    private readonly StudyStore _store;
    private readonly DbConnection _db;

    private Study(StudyStore store, DbConnection db)
    {
        _store = store;
        _db = db;
        ClaimantId = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}");
        SpaceName = Meta("space");
        Preset = Meta("preset");
        SpaceJson = Meta("space_json");
    }

    /// <summary>The study's location: its file, or its PostgreSQL URL (which never holds a password).</summary>
    public string Path => _store.Location;

    /// <summary>Name of the search space the study belongs to.</summary>
    public string SpaceName { get; }

    /// <summary>Preset of that space.</summary>
    public string Preset { get; }

    /// <summary>The space's choices as JSON (names, values, kinds, groups): its identity.</summary>
    public string SpaceJson { get; }

    /// <summary>This worker's identity in claims: <c>machine:pid:random</c>.</summary>
    public string ClaimantId { get; }

    /// <summary>A claim whose heartbeat is older than this is taken over (its worker is presumed dead). Default 60 s.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a worker refreshes the heartbeat of the claim it is evaluating. Default 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a worker waits before asking again for a result another worker is computing. Default 0.5 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>True when <paramref name="location"/> names a study on a PostgreSQL server (<c>postgresql://…</c>) rather than a file.</summary>
    public static bool IsServerUrl(string location) => Postgres.PostgresStudyUrl.IsUrl(location);

    /// <summary>Creates a new study for <paramref name="space"/> at <paramref name="path"/> (a file, or a <c>postgresql://</c> URL).</summary>
    /// <exception cref="UserInputException">The study already exists (resume it, or choose another name), or its server cannot be reached.</exception>
    public static Study Create(string path, ISearchSpace space) => OpenOrCreate(path, space, mustBeNew: true);

    /// <summary>
    /// Opens the study at <paramref name="path"/>, creating it for <paramref name="space"/> when absent (safe when several
    /// workers start at once).
    /// </summary>
    /// <exception cref="UserInputException">The file or schema is not a study, its server cannot be reached, or the study belongs to another space, preset or version of the space's choices.</exception>
    public static Study OpenOrCreate(string path, ISearchSpace space) => OpenOrCreate(path, space, mustBeNew: false);

    private static Study OpenOrCreate(string path, ISearchSpace space, bool mustBeNew)
    {
        var store = StudyStore.For(path);
        var db = store.Connect(create: true);
        try
        {
            // An existing database must be a study, or one without any table yet (another worker creating it right now):
            // checked before anything is written, so that a file that is no study is left as it was.
            if (Guarded(store, () => store.TableCount(db, null, null)) > 0)
            {
                if (mustBeNew) throw new UserInputException($"The study {store.Location} already exists; resume it or choose another name.");
                RequireStudy(store, db);
            }
            store.BeforeCreate(db);
            using (var tx = db.BeginTransaction())
            {
                store.CreateSchema(db, tx);
                foreach (var (k, v) in new[] { ("format", Format), ("space", space.Name), ("preset", space.Preset), ("space_json", SpaceIdentity(space)), ("created", Now().ToString(CultureInfo.InvariantCulture)) })
                    Execute(db, "INSERT INTO study(key, value) VALUES (@k, @v) ON CONFLICT DO NOTHING;", tx, ("@k", k), ("@v", v));
                tx.Commit();
            }
            var study = new Study(store, db);
            study.RequireSpace(space);
            return study;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing study of <paramref name="space"/>.</summary>
    /// <exception cref="UserInputException">No such study, the file is not a study, the server cannot be reached, or the study belongs to another space, preset or version of the space's choices.</exception>
    public static Study Open(string path, ISearchSpace space)
    {
        var study = OpenExisting(path);
        try
        {
            study.RequireSpace(space);
            return study;
        }
        catch
        {
            study.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing study whatever its space (to read it: reports).</summary>
    /// <exception cref="UserInputException">No such study, the file is not a study, or the server cannot be reached.</exception>
    public static Study OpenExisting(string path)
    {
        var store = StudyStore.For(path);
        var db = store.Connect(create: false);
        try
        {
            RequireStudy(store, db);
            return new Study(store, db);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteIoError or SqliteCorrupt or SqliteNotADatabase)
        {
            db.Dispose();
            throw new UserInputException($"{path} is a damaged FormerSearch study: {e.Message}", e);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>The identity of a space as stored in a study: name, preset and every choice with its values, kind and group.</summary>
    public static string SpaceIdentity(ISearchSpace space)
    {
        var choices = new JsonArray();
        foreach (var c in space.Choices)
        {
            var values = new JsonArray();
            foreach (var v in c.Values) values.Add(v);
            choices.Add(new JsonObject { ["name"] = c.Name, ["values"] = values, ["kind"] = c.Kind.ToString(), ["group"] = c.Group });
        }
        return new JsonObject { ["name"] = space.Name, ["preset"] = space.Preset, ["choices"] = choices }.ToJsonString();
    }

    /// <inheritdoc/>
    public void Dispose() => _db.Dispose();

    private void RequireSpace(ISearchSpace space)
    {
        if (SpaceName != space.Name || Preset != space.Preset)
            throw new UserInputException($"The study {Path} belongs to space {SpaceName}/{Preset}, not {space.Name}/{space.Preset}.");
        if (SpaceJson != SpaceIdentity(space))
            throw new UserInputException($"The study {Path} was made with other choices for space {SpaceName}/{Preset} (another version of the space); start a new study.");
    }

    private string Meta(string key) =>
        Scalar(_db, "SELECT value FROM study WHERE key = @k;", null, ("@k", key)) as string
        ?? throw new UserInputException($"{Path} is not a FormerSearch study: its '{key}' entry is missing.");

    private static void RequireStudy(StudyStore store, DbConnection db) => Guarded(store, () =>
    {
        if (store.TableCount(db, null, "study") == 0) throw new UserInputException(store.NoStudy);
        store.CheckPages(db);
        var format = Scalar(db, "SELECT value FROM study WHERE key = 'format';", null) as string;
        if (format != Format)
            throw new UserInputException(format is not null && format.StartsWith(FormatPrefix, StringComparison.Ordinal)
                ? $"{store.Location} is a study of format {InputText.Quote(format)}, made by a newer FormerSearch than this one (which reads {Format}); update former."
                : $"{store.Location} is not a FormerSearch study of format {Format}.");
        foreach (var (table, columns) in Tables)
        {
            if (store.TableCount(db, null, table) == 0) throw new UserInputException($"{store.Location} is a damaged FormerSearch study: it has no {table} table.");
            // The columns as the driver sees them, in either dialect: a query that returns no row still names them.
            var present = new HashSet<string>(StringComparer.Ordinal);
            using (var cmd = Command(db, $"SELECT * FROM {table} LIMIT 0;", null, []))
            using (var r = cmd.ExecuteReader())
                for (int i = 0; i < r.FieldCount; i++) present.Add(r.GetName(i));
            foreach (var column in columns)
                if (!present.Contains(column)) throw new UserInputException($"{store.Location} is a damaged FormerSearch study: its {table} table has no {column} column.");
        }
        return 0;
    });

    // A page found damaged while reading (SQLite checks pages lazily) is the file's fault, not a bug.
    private T Reading<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteIoError or SqliteCorrupt or SqliteNotADatabase)
        {
            throw new UserInputException($"{Path} is a damaged FormerSearch study: {e.Message}", e);
        }
    }

    private const int SqliteIoError = 10, SqliteCorrupt = 11, SqliteNotADatabase = 26;

    // A database the driver cannot read (a text file named .db, a schema of other tables) is the user's input, not a bug.
    private static long Guarded(StudyStore store, Func<long> query)
    {
        try
        {
            return query();
        }
        catch (DbException e)
        {
            throw new UserInputException($"{store.Location} is not a FormerSearch study: {e.Message}", e);
        }
    }

    internal static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static DbCommand Command(DbConnection db, string sql, DbTransaction? tx, (string, object?)[] args) => StudyStore.Command(db, sql, tx, args);

    private static int Execute(DbConnection db, string sql, DbTransaction? tx = null, params (string, object?)[] args) => StudyStore.Execute(db, sql, tx, args);

    private static object? Scalar(DbConnection db, string sql, DbTransaction? tx, params (string, object?)[] args) => StudyStore.Scalar(db, sql, tx, args);

    private static string JoinKeys(IEnumerable<string> keys) => JsonSerializer.Serialize(keys.ToArray());

    private static bool ProcessIsDead(string claimant)
    {
        // Claims made by a process of this machine that no longer exists can be taken over at once, without the timeout.
        var parts = claimant.Split(':');
        if (parts.Length < 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int pid)) return false;
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
