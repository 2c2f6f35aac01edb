using System.Data.Common;
using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Studies.Postgres;

namespace FormerSearch.Studies;

/// <summary>
/// The database a study lives in: how to connect to it and the few statements whose SQL differs between SQLite and
/// PostgreSQL (schema DDL, table lookup, first-drawn order, the claim's row lock). Everything else — the study's logic, its
/// queries and its row checks — is written once in <see cref="Study"/> against <see cref="DbConnection"/>.
/// </summary>
internal abstract class StudyStore
{
    /// <summary>Where the study is, as messages show it: a file path, or a URL without any password.</summary>
    public abstract string Location { get; }

    /// <summary>The order candidates were first drawn in (SQLite's rowid, a PostgreSQL identity column).</summary>
    public abstract string FirstDrawnOrder { get; }

    /// <summary>
    /// Appended to the claim's <c>SELECT</c>: PostgreSQL's <c>FOR UPDATE SKIP LOCKED</c>, so that a row another worker is
    /// claiming right now is skipped (it counts as busy); SQLite's write transaction already excludes other writers.
    /// </summary>
    public abstract string ClaimLock { get; }

    /// <summary>
    /// SQL for the database's clock in Unix milliseconds. Heartbeats are written and aged by it, not by each worker's clock,
    /// so that workers on machines whose clocks disagree still agree on whether a claim is stale.
    /// </summary>
    public abstract string Clock { get; }

    /// <summary>Opens a connection to an existing database (<paramref name="create"/>: creating the file or schema's home when absent).</summary>
    /// <exception cref="UserInputException">The database cannot be reached or opened.</exception>
    public abstract DbConnection Connect(bool create);

    /// <summary>Tables of this study's namespace (the SQLite file, the PostgreSQL schema), or only those named <paramref name="name"/>.</summary>
    public abstract long TableCount(DbConnection db, DbTransaction? tx, string? name);

    /// <summary>What to do once before the schema is written: SQLite turns WAL on (outside any transaction).</summary>
    public virtual void BeforeCreate(DbConnection db)
    {
    }

    /// <summary>Creates the study's tables if absent, inside <paramref name="tx"/> (PostgreSQL: serialised between workers).</summary>
    public abstract void CreateSchema(DbConnection db, DbTransaction tx);

    /// <summary>Refuses a database whose pages are damaged (SQLite checks pages lazily; a server checks its own).</summary>
    /// <exception cref="UserInputException">The database is damaged.</exception>
    public virtual void CheckPages(DbConnection db)
    {
    }

    /// <summary>
    /// Runs first in <see cref="Study.BeginRun"/>'s transaction: PostgreSQL locks the runs table, so that two workers starting
    /// together cannot both find the run missing; SQLite's write transaction already does.
    /// </summary>
    public virtual void LockRuns(DbConnection db, DbTransaction tx)
    {
    }

    /// <summary>The message for a database that holds no study (a SQLite file of other tables, a PostgreSQL study never started).</summary>
    public abstract string NoStudy { get; }

    /// <summary>The store of <paramref name="location"/>: a <c>postgresql://</c> URL, else a SQLite file path.</summary>
    /// <exception cref="UserInputException">A malformed study URL, or one that carries a password.</exception>
    public static StudyStore For(string location) =>
        PostgresStudyUrl.IsUrl(location) ? new PostgresStudyStore(PostgresStudyUrl.Parse(location)) : new SqliteStudyStore(location);

    internal static DbCommand Command(DbConnection db, string sql, DbTransaction? tx, (string, object?)[] args)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    internal static int Execute(DbConnection db, string sql, DbTransaction? tx = null, params (string, object?)[] args)
    {
        using var cmd = Command(db, sql, tx, args);
        return cmd.ExecuteNonQuery();
    }

    internal static object? Scalar(DbConnection db, string sql, DbTransaction? tx, params (string, object?)[] args)
    {
        using var cmd = Command(db, sql, tx, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    internal static long Count(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>
    /// The study's tables in one store's types: <paramref name="wide"/> 64-bit integers (sizes, times),
    /// <paramref name="narrow"/> small ones (generations, ordinals), <paramref name="real"/> doubles, and
    /// <paramref name="firstDrawn"/> the column definitions that keep the order candidates were first drawn in, if the
    /// store has no rowid.
    /// </summary>
    protected static string Schema(string wide, string narrow, string real, string firstDrawn) =>
        $"""
        CREATE TABLE IF NOT EXISTS study(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS candidates(
            key TEXT PRIMARY KEY,
            arch_json TEXT NOT NULL,
            params {wide} NOT NULL,
            macs {wide} NOT NULL,
            latency {real},
            val_acc {real},
            test_acc {real},
            generation {narrow} NOT NULL,
            parents TEXT NOT NULL,
            run TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new',
            claimant TEXT,
            heartbeat {wide},
            eval_seconds {real},
            test_seconds {real}{firstDrawn});
        CREATE TABLE IF NOT EXISTS latencies(key TEXT PRIMARY KEY, value {real} NOT NULL);
        CREATE TABLE IF NOT EXISTS runs(
            name TEXT PRIMARY KEY,
            algorithm TEXT NOT NULL,
            settings TEXT NOT NULL,
            seed TEXT NOT NULL,
            state TEXT NOT NULL,
            result TEXT,
            started {wide} NOT NULL,
            finished {wide});
        CREATE TABLE IF NOT EXISTS run_candidates(
            run TEXT NOT NULL,
            ordinal {narrow} NOT NULL,
            key TEXT NOT NULL,
            generation {narrow} NOT NULL,
            origin TEXT NOT NULL,
            parents TEXT NOT NULL,
            PRIMARY KEY(run, ordinal));
        CREATE TABLE IF NOT EXISTS generations(
            run TEXT NOT NULL,
            generation {narrow} NOT NULL,
            population TEXT NOT NULL,
            top TEXT NOT NULL,
            best_acc {real} NOT NULL,
            PRIMARY KEY(run, generation));
        """;
}
