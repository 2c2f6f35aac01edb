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

    public override string Clock => "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

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

    // A damaged page would otherwise surface in the middle of a read.
    public override void CheckPages(DbConnection db)
    {
        if (Scalar(db, "PRAGMA quick_check(1);", null) is not "ok")
            throw new UserInputException($"{path} is a damaged FormerSearch study: SQLite finds its pages corrupt.");
    }

    public override void BeforeCreate(DbConnection db) => Execute(db, "PRAGMA journal_mode=WAL;");

    public override void CreateSchema(DbConnection db, DbTransaction tx) => Execute(db, Schema("INTEGER", "INTEGER", "REAL", ""), tx);
}
