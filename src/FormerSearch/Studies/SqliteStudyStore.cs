using System.Data.Common;
using FormerSearch.Engine;
using Microsoft.Data.Sqlite;

namespace FormerSearch.Studies;

/// <summary>A study in one SQLite file (WAL mode): one machine, any number of worker processes.</summary>
internal sealed class SqliteStudyStore(string path) : StudyStore
{
    public override string Location => path;

    public override string FirstDrawnOrder => "rowid";

    public override string ClaimLock => "";

    public override string NoStudy => $"{path} is not a FormerSearch study: it has no study table.";

    public override DbConnection Connect(bool create)
    {
        if (create)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null) Directory.CreateDirectory(dir);
        }
        else if (!File.Exists(path)) throw new UserInputException($"The study {path} does not exist.");
        var mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite;
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

    public override long TableCount(DbConnection db, DbTransaction? tx, string? name) => name is null
        ? Count(Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table';", tx))
        : Count(Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @n;", tx, ("@n", name)));

    public override void BeforeCreate(DbConnection db) => Execute(db, "PRAGMA journal_mode=WAL;");

    public override void CreateSchema(DbConnection db, DbTransaction tx) => Execute(db, Schema, tx);

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
