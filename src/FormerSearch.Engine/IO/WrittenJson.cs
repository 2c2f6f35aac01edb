using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FormerSearch.Engine.IO;

/// <summary>
/// Reading back a JSON file a run wrote (a supernet folder's <c>space.json</c>, a search's <c>summary.json</c>): the file
/// and each field are checked — present, of the right type, in range — so an empty, truncated or edited file is one
/// sentence naming the file and the field ("'…/space.json' is damaged: val_size must be an integer in [0, 100000000],
/// not -5.") instead of a null reference or a cast error deep in the caller.
/// </summary>
public static class WrittenJson
{
    /// <summary>The JSON object in <paramref name="path"/> (UTF-8, no key twice, nesting at most 64 deep).</summary>
    /// <exception cref="UserInputException">The file cannot be read, is empty, is not JSON, or is not an object.</exception>
    public static JsonObject ReadObject(string path)
    {
        byte[] bytes = InputFile.ReadAll(path, "file");
        if (bytes.Length == 0) throw Damaged(path, "it is empty");
        // Strings are decoded lazily: text that is not UTF-8 would fail later, outside this check.
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw Damaged(path, "it is not UTF-8 text");
        try
        {
            var options = new JsonDocumentOptions { AllowDuplicateProperties = false };
            return JsonNode.Parse(bytes, documentOptions: options) as JsonObject ?? throw Damaged(path, "it is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Damaged(path, $"it is not valid JSON ({InputText.Clip(e.Message, 80)})", e);
        }
    }

    /// <summary>The non-empty string <paramref name="field"/> of <paramref name="o"/>, or <paramref name="fallback"/> when it is absent and that is not null.</summary>
    /// <exception cref="UserInputException">The field is missing (without a fallback), or not a non-empty string.</exception>
    public static string String(JsonObject o, string field, string path, string? fallback = null)
    {
        var node = o[field];
        if (node is null && fallback is not null) return fallback;
        return node is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s : throw Bad(path, field, "a non-empty string", node);
    }

    /// <summary>The integer <paramref name="field"/> within [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent and that is not null.</summary>
    /// <exception cref="UserInputException">The field is missing (without a fallback), not an integer, or out of range.</exception>
    public static long Integer(JsonObject o, string field, string path, long min, long max, long? fallback = null)
    {
        var node = o[field];
        if (node is null && fallback is { } f) return f;
        return Integer(node, field, path, min, max);
    }

    /// <summary>The unsigned 64-bit integer <paramref name="field"/> (a seed), or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="UserInputException">The field is not an unsigned integer.</exception>
    public static ulong UInt64(JsonObject o, string field, string path, ulong fallback)
    {
        var node = o[field];
        if (node is null) return fallback;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out ulong u) ? u : throw Bad(path, field, "an unsigned integer", node);
    }

    /// <summary>The finite number <paramref name="field"/>, or null when it is absent or JSON null.</summary>
    /// <exception cref="UserInputException">The field is present but not a finite number.</exception>
    public static double? OptionalNumber(JsonObject o, string field, string path)
    {
        var node = o[field];
        if (node is null) return null;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && double.IsFinite(d) ? d : throw Bad(path, field, "a number", node);
    }

    /// <summary>The list of <paramref name="count"/> integers <paramref name="field"/>, each within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="UserInputException">The field is not such a list.</exception>
    public static long[] Integers(JsonObject o, string field, string path, int count, long min, long max)
    {
        var node = o[field];
        if (node is not JsonArray a || a.Count != count) throw Bad(path, field, $"a list of {count} integers", node);
        var values = new long[count];
        for (int i = 0; i < count; i++) values[i] = Integer(a[i], $"{field}[{i}]", path, min, max);
        return values;
    }

    /// <summary>The object <paramref name="field"/>.</summary>
    /// <exception cref="UserInputException">The field is missing or not an object.</exception>
    public static JsonObject Object(JsonObject o, string field, string path) =>
        o[field] as JsonObject ?? throw Bad(path, field, "an object", o[field]);

    /// <summary>The input error for <paramref name="path"/>: <paramref name="what"/> is wrong with it.</summary>
    public static UserInputException Damaged(string path, string what, Exception? inner = null) =>
        inner is null ? new($"{InputText.QuotePath(path)} is damaged: {what}.") : new($"{InputText.QuotePath(path)} is damaged: {what}.", inner);

    private static long Integer(JsonNode? node, string field, string path, long min, long max) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long l) && l >= min && l <= max ? l
        : throw Bad(path, field, string.Create(CultureInfo.InvariantCulture, $"an integer in [{min}, {max}]"), node);

    private static UserInputException Bad(string path, string field, string expected, JsonNode? found) =>
        Damaged(path, $"{field} must be {expected}, not {(found is null ? "missing" : InputText.Clip(found.ToJsonString(), 40))}");
}
