using System.Data.Common;
using System.Net.Sockets;
using FormerSearch.Engine;
using Npgsql;

namespace FormerSearch.Studies.Postgres;

/// <summary>
/// A study in one schema of a PostgreSQL database, shared by workers on any number of machines. The password comes from
/// <c>PGPASSWORD</c> or <c>~/.pgpass</c> (Npgsql reads both); TLS is used when the server offers it.
/// </summary>
internal sealed class PostgresStudyStore(PostgresStudyUrl url) : StudyStore
{
    public override string Location => url.ToString();

    public override string FirstDrawnOrder => "seq";

    public override string ClaimLock => " FOR UPDATE SKIP LOCKED";

    public override string Clock => "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)";

    public override string NoStudy => $"The study {url} does not exist (database {url.Database} has no study '{url.Study}'); start it with `former search --study` first.";

    public override DbConnection Connect(bool create)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host, Port = url.Port, Database = url.Database, Username = url.User, SearchPath = url.Study,
            SslMode = SslMode.Prefer, Timeout = 15, CommandTimeout = 120, ApplicationName = "former",
        };
        var db = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            db.Open();
            return db;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or IOException)
        {
            db.Dispose();
            throw new UserInputException($"The PostgreSQL server of the study {url} cannot be used: {Reason(e)}.", e);
        }
    }

    public override long TableCount(DbConnection db, DbTransaction? tx, string? name) => name is null
        ? Count(Scalar(db, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = @s;", tx, ("@s", url.Study)))
        : Count(Scalar(db, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = @s AND tablename = @n;", tx, ("@s", url.Study), ("@n", name)));

    public override void CreateSchema(DbConnection db, DbTransaction tx)
    {
        // Workers starting together would race on CREATE … IF NOT EXISTS (a unique-key error in the catalog): one at a time.
        Execute(db, "SELECT pg_advisory_xact_lock(hashtext('formersearch:' || @s));", tx, ("@s", url.Study));
        Execute(db, $"CREATE SCHEMA IF NOT EXISTS \"{url.Study}\";", tx);
        Execute(db, Schema("BIGINT", "INTEGER", "DOUBLE PRECISION", ",\n    seq BIGINT GENERATED ALWAYS AS IDENTITY"), tx);
    }

    public override void LockRuns(DbConnection db, DbTransaction tx) => Execute(db, "LOCK TABLE runs IN SHARE ROW EXCLUSIVE MODE;", tx);

    // The server's own words (password authentication failed, database does not exist) or the network's (connection refused).
    private static string Reason(Exception e)
    {
        if (e is PostgresException pg) return pg.MessageText.TrimEnd('.');
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner.Message.TrimEnd('.');
    }
}
