using System.Globalization;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Spaces;

namespace FormerSearch.Studies;

/// <summary>
/// Checks the values read from one row of a study table, whatever store they came from (the caller passes what its
/// reader returned: <c>string</c>, <c>long</c>, <c>double</c>, null or <see cref="DBNull"/>), so a damaged or hand-edited
/// study is refused with the table, row and column named instead of being drawn or resumed with invented numbers.
/// </summary>
/// <param name="Study">The study file or database, named in errors.</param>
/// <param name="Table">The table the row is in.</param>
/// <param name="Id">The row's identity (its key, or run and ordinal).</param>
public readonly record struct StudyRowCheck(string Study, string Table, string Id)
{
    /// <summary>A non-null text value.</summary>
    /// <exception cref="UserInputException">The value is null or not text.</exception>
    public string Text(string column, object? value) =>
        value as string ?? throw Bad(column, value, "text");

    /// <summary>A text value or null.</summary>
    /// <exception cref="UserInputException">The value is neither null nor text.</exception>
    public string? OptionalText(string column, object? value) =>
        IsNull(value) ? null : Text(column, value);

    /// <summary>An integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="UserInputException">The value is null, not an integer or out of range.</exception>
    public long Integer(string column, object? value, long min = 0, long max = long.MaxValue) =>
        // PostgreSQL returns its 32-bit columns (generation, ordinal) as int, SQLite every integer as long.
        (value switch { long l => l, int i => i, _ => (long?)null }) is long v && v >= min && v <= max ? v : throw Bad(column, value, $"an integer in [{min}, {max}]");

    /// <summary>An integer within [<paramref name="min"/>, <see cref="int.MaxValue"/>].</summary>
    /// <exception cref="UserInputException">The value is null, not an integer or out of range.</exception>
    public int Int32(string column, object? value, int min = 0) => (int)Integer(column, value, min, int.MaxValue);

    /// <summary>An optional integer (null stays null).</summary>
    /// <exception cref="UserInputException">The value is neither null nor an integer in range.</exception>
    public long? OptionalInteger(string column, object? value, long min = 0) => IsNull(value) ? null : Integer(column, value, min);

    /// <summary>
    /// An accuracy: a finite number, or null while not evaluated. Its range is the evaluator's business (a synthetic one
    /// scores beyond 1); a number that is not one is damage.
    /// </summary>
    /// <exception cref="UserInputException">The value is not a number, or is NaN or infinite.</exception>
    public double? Accuracy(string column, object? value) => IsNull(value) ? null : Real(column, value);

    /// <summary>A non-negative finite number (seconds, latency), or null when absent.</summary>
    /// <exception cref="UserInputException">The value is not a number, NaN, infinite or negative.</exception>
    public double? NonNegative(string column, object? value) =>
        IsNull(value) ? null : Real(column, value) is var d && d >= 0 ? d : throw Bad(column, value, "a non-negative number");

    /// <summary>A JSON list of candidate keys (parents, a population, a top-k).</summary>
    /// <exception cref="UserInputException">The value is not a JSON array of strings.</exception>
    public IReadOnlyList<string> Keys(string column, object? value)
    {
        string text = Text(column, value);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw Bad(column, value, "a JSON list of keys");
            var keys = new List<string>(doc.RootElement.GetArrayLength());
            foreach (var e in doc.RootElement.EnumerateArray())
                keys.Add(e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad(column, value, "a JSON list of keys"));
            return keys;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw Bad(column, value, "a JSON list of keys");
        }
    }

    /// <summary>A JSON object (settings, a result summary), returned as the text read.</summary>
    /// <exception cref="UserInputException">The value is not text holding a JSON object.</exception>
    public string JsonObject(string column, object? value)
    {
        string text = Text(column, value);
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? text : throw Bad(column, value, "a JSON object");
        }
        catch (JsonException)
        {
            throw Bad(column, value, "a JSON object");
        }
    }

    /// <summary>The architecture file form of candidate <paramref name="key"/>: it must read back as that very architecture.</summary>
    /// <exception cref="UserInputException">The value is not an architecture, or another one than <paramref name="key"/>.</exception>
    public string Architecture(string column, object? value, string key)
    {
        string text = Text(column, value);
        Spaces.Architecture architecture;
        try { architecture = Spaces.Architecture.FromJson(text, "it"); }
        catch (UserInputException) { throw Bad(column, value, "an architecture JSON"); }
        return architecture.Key == key ? text : throw Bad(column, value, "the architecture of its key");
    }

    /// <summary>One of <paramref name="allowed"/>.</summary>
    /// <exception cref="UserInputException">The value is none of them.</exception>
    public string OneOf(string column, object? value, params string[] allowed) =>
        value is string s && Array.IndexOf(allowed, s) >= 0 ? s : throw Bad(column, value, string.Join(", ", allowed));

    /// <summary>An unsigned 64-bit number written as decimal text (a seed).</summary>
    /// <exception cref="UserInputException">The value is not such a number.</exception>
    public ulong Seed(string column, object? value) =>
        value is string s && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) ? seed : throw Bad(column, value, "a seed (decimal digits)");

    private double Real(string column, object? value) => value switch
    {
        double d when double.IsFinite(d) => d,
        long l => l,
        int i => i,
        _ => throw Bad(column, value, "a finite number"),
    };

    private static bool IsNull(object? value) => value is null or DBNull;

    private UserInputException Bad(string column, object? value, string expected)
    {
        string found = value switch
        {
            null or DBNull => "empty",
            string s => InputText.Quote(s, 40),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            int i => i.ToString(CultureInfo.InvariantCulture),
            _ => "a " + value.GetType().Name,
        };
        return new UserInputException($"The study {InputText.Quote(Study, 80)} is damaged: table {Table}, row {InputText.Quote(Id, 48)}, column {column} holds {found}, not {expected}.");
    }
}
