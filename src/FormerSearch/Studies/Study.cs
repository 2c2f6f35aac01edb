using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FormerSearch.Spaces;
using Microsoft.Data.Sqlite;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Studies;

/// <summary>
/// A search study: one SQLite file (WAL mode) holding the search space, every candidate any run drew with its costs and
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

    private readonly SqliteConnection _db;

    private Study(string path, SqliteConnection db)
    {
        Path = path;
        _db = db;
        ClaimantId = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}");
        SpaceName = Meta("space");
        Preset = Meta("preset");
        SpaceJson = Meta("space_json");
    }

    /// <summary>The study file.</summary>
    public string Path { get; }

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

    /// <summary>Creates a new study for <paramref name="space"/> at <paramref name="path"/>.</summary>
    /// <exception cref="UserInputException">The file already exists (resume it, or choose another name).</exception>
    public static Study Create(string path, ISearchSpace space)
    {
        if (File.Exists(path)) throw new UserInputException($"The study {path} already exists; resume it or choose another file.");
        return OpenOrCreate(path, space);
    }

    /// <summary>
    /// Opens the study at <paramref name="path"/>, creating it for <paramref name="space"/> when absent (safe when several
    /// workers start at once).
    /// </summary>
    /// <exception cref="UserInputException">The file is not a study, or the study belongs to another space, preset or version of the space's choices.</exception>
    public static Study OpenOrCreate(string path, ISearchSpace space)
    {
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        bool existed = File.Exists(path) && new FileInfo(path).Length > 0;
        var db = Connect(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            // An existing file must be a study, or a database without any table yet (another worker creating it right now).
            if (existed && TableCount(db, path) > 0) RequireStudy(db, path);
            Execute(db, "PRAGMA journal_mode=WAL;");
            using (var tx = db.BeginTransaction())
            {
                Execute(db, Schema, tx);
                foreach (var (k, v) in new[] { ("format", Format), ("space", space.Name), ("preset", space.Preset), ("space_json", SpaceIdentity(space)), ("created", Now().ToString(CultureInfo.InvariantCulture)) })
                    Execute(db, "INSERT OR IGNORE INTO study(key, value) VALUES ($k, $v);", tx, ("$k", k), ("$v", v));
                tx.Commit();
            }
            var study = new Study(path, db);
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
    /// <exception cref="UserInputException">No such file, the file is not a study, or the study belongs to another space, preset or version of the space's choices.</exception>
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
    /// <exception cref="UserInputException">No such file, or the file is not a study.</exception>
    public static Study OpenExisting(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"The study {path} does not exist.");
        var db = Connect(path, SqliteOpenMode.ReadWrite);
        try
        {
            RequireStudy(db, path);
            return new Study(path, db);
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
        Scalar(_db, "SELECT value FROM study WHERE key = $k;", null, ("$k", key)) as string
        ?? throw new UserInputException($"{Path} is not a FormerSearch study: its '{key}' entry is missing.");

    private static void RequireStudy(SqliteConnection db, string path)
    {
        try
        {
            var found = Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'study';", null);
            if (Convert.ToInt64(found, CultureInfo.InvariantCulture) == 0) throw new UserInputException($"{path} is not a FormerSearch study: it has no study table.");
            // A damaged page would otherwise surface in the middle of a read (SQLite checks pages lazily).
            if (Scalar(db, "PRAGMA quick_check(1);", null) is not "ok") throw new UserInputException($"{path} is a damaged FormerSearch study: SQLite finds its pages corrupt.");
            var format = Scalar(db, "SELECT value FROM study WHERE key = 'format';", null) as string;
            if (format != Format)
                throw new UserInputException(format is not null && format.StartsWith(FormatPrefix, StringComparison.Ordinal)
                    ? $"{path} is a study of format {InputText.Quote(format)}, made by a newer FormerSearch than this one (which reads {Format}); update former."
                    : $"{path} is not a FormerSearch study of format {Format}.");
            foreach (var (table, columns) in Tables)
            {
                var present = new HashSet<string>(StringComparer.Ordinal);
                using (var cmd = Command(db, "SELECT name FROM pragma_table_info($t);", null, [("$t", table)]))
                using (var r = cmd.ExecuteReader())
                    while (r.Read()) present.Add(r.GetString(0));
                if (present.Count == 0) throw new UserInputException($"{path} is a damaged FormerSearch study: it has no {table} table.");
                foreach (var column in columns)
                    if (!present.Contains(column)) throw new UserInputException($"{path} is a damaged FormerSearch study: its {table} table has no {column} column.");
            }
        }
        catch (SqliteException e)
        {
            throw new UserInputException($"{path} is not a FormerSearch study: {e.Message}", e);
        }
    }

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

    private static long TableCount(SqliteConnection db, string path)
    {
        try
        {
            return Convert.ToInt64(Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table';", null), CultureInfo.InvariantCulture);
        }
        catch (SqliteException e)
        {
            throw new UserInputException($"{path} is not a FormerSearch study: {e.Message}", e);
        }
    }

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 120 }.ToString();
        var db = new SqliteConnection(cs);
        try
        {
            db.Open();
            Execute(db, "PRAGMA busy_timeout=120000;");
            Execute(db, "PRAGMA synchronous=NORMAL;");
            return db;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new UserInputException($"{path} cannot be opened as a study: {e.Message}", e);
        }
    }

    internal static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static SqliteCommand Command(SqliteConnection db, string sql, SqliteTransaction? tx, (string, object?)[] args)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static int Execute(SqliteConnection db, string sql, SqliteTransaction? tx = null, params (string, object?)[] args)
    {
        using var cmd = Command(db, sql, tx, args);
        return cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection db, string sql, SqliteTransaction? tx, params (string, object?)[] args)
    {
        using var cmd = Command(db, sql, tx, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

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

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS study(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS candidates(
            key TEXT PRIMARY KEY,
            arch_json TEXT NOT NULL,
            params INTEGER NOT NULL,
            macs INTEGER NOT NULL,
            latency REAL,
            val_acc REAL,
            test_acc REAL,
            generation INTEGER NOT NULL,
            parents TEXT NOT NULL,
            run TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new',
            claimant TEXT,
            heartbeat INTEGER,
            eval_seconds REAL,
            test_seconds REAL);
        CREATE TABLE IF NOT EXISTS latencies(key TEXT PRIMARY KEY, value REAL NOT NULL);
        CREATE TABLE IF NOT EXISTS runs(
            name TEXT PRIMARY KEY,
            algorithm TEXT NOT NULL,
            settings TEXT NOT NULL,
            seed TEXT NOT NULL,
            state TEXT NOT NULL,
            result TEXT,
            started INTEGER NOT NULL,
            finished INTEGER);
        CREATE TABLE IF NOT EXISTS run_candidates(
            run TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            key TEXT NOT NULL,
            generation INTEGER NOT NULL,
            origin TEXT NOT NULL,
            parents TEXT NOT NULL,
            PRIMARY KEY(run, ordinal));
        CREATE TABLE IF NOT EXISTS generations(
            run TEXT NOT NULL,
            generation INTEGER NOT NULL,
            population TEXT NOT NULL,
            top TEXT NOT NULL,
            best_acc REAL NOT NULL,
            PRIMARY KEY(run, generation));
        """;
}
