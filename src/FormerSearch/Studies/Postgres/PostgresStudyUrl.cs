using System.Globalization;
using System.Text.RegularExpressions;
using FormerSearch.Engine;

namespace FormerSearch.Studies.Postgres;

/// <summary>
/// A study on a PostgreSQL server: <c>postgresql://USER@HOST[:PORT]/DB?study=NAME</c>. The password never appears here: the
/// client reads it from <c>PGPASSWORD</c> or <c>~/.pgpass</c>. Each study is one schema named <c>NAME</c>, so several
/// studies share a database.
/// </summary>
/// <param name="User">Role to connect as (null: <c>PGUSER</c>, else the login name, as libpq does).</param>
/// <param name="Host">Server name or address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="Database">Database name.</param>
/// <param name="Study">The study's name, which is its schema's.</param>
internal sealed partial record PostgresStudyUrl(string? User, string Host, int Port, string Database, string Study)
{
    /// <summary>PostgreSQL's default port.</summary>
    public const int DefaultPort = 5432;

    /// <summary>The URL as messages show it (it never held a password).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"postgresql://{(User is null ? "" : Uri.EscapeDataString(User) + "@")}{Host}:{Port}/{Database}?study={Study}");

    /// <summary>True when <paramref name="location"/> is a study URL rather than a file path.</summary>
    public static bool IsUrl(string location) =>
        location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="UserInputException">It carries a password, lacks a host, database or study name, or has another parameter.</exception>
    public static PostgresStudyUrl Parse(string text)
    {
        const string Form = "postgresql://USER@HOST[:PORT]/DB?study=NAME";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            throw new UserInputException($"The study URL '{Redacted(text)}' is malformed; write it as {Form}.");
        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
            throw new UserInputException($"The study URL {Redacted(text)} carries a password; put it in PGPASSWORD or ~/.pgpass instead, never on the command line.");
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (uri.Host.Length == 0 || database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
            throw new UserInputException($"The study URL {Redacted(text)} needs a host and a database; write it as {Form}.");
        string? study = null;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..])) : (pair, "");
            if (key != "study") throw new UserInputException($"The study URL {Redacted(text)} has an unknown parameter '{key}'; only study=NAME is read (TLS is used whenever the server offers it).");
            study = value;
        }
        if (study is null || !StudyName().IsMatch(study) || study.StartsWith("pg_", StringComparison.Ordinal) || study == "information_schema")
            throw new UserInputException($"The study URL {Redacted(text)} needs ?study=NAME, a name of lower-case letters, digits and '_' (not starting with a digit or pg_), at most 63 characters.");
        return new PostgresStudyUrl(uri.UserInfo.Length == 0 ? null : Uri.UnescapeDataString(uri.UserInfo), uri.Host, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port, database, study);
    }

    // A message must never repeat a password: everything from the user's colon to the last '@' is cut.
    private static string Redacted(string text) => Password().Replace(text, "$1:***@");

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex StudyName();

    [GeneratedRegex("^([a-zA-Z]+://[^:/@]*):.*@")]
    private static partial Regex Password();
}
