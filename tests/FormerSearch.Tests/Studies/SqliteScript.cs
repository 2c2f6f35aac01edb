using Microsoft.Data.Sqlite;

namespace FormerSearch.Testing;

/// <summary>Runs SQL on a database file, to damage a study the way a hand edit would (linked into FormerSearch.Cli.Tests too).</summary>
public static class SqliteScript
{
    /// <summary>Runs <paramref name="sql"/> on the SQLite file <paramref name="path"/> (created when absent).</summary>
    public static void Run(string path, string sql)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
