using System.Text;

namespace FormerSearch.Engine.IO;

/// <summary>
/// Pieces of a user's file quoted in an input error: a name or value read from a hostile file may be megabytes long or
/// hold line breaks and control characters, and the message must stay one line of about 300 characters.
/// </summary>
public static class InputText
{
    /// <summary>The longest piece quoted, in characters, before it is cut.</summary>
    public const int MaxQuoted = 48;

    /// <summary>
    /// <paramref name="text"/> in single quotes, control characters shown as <c>?</c> and anything past
    /// <paramref name="maxLength"/> characters cut and marked with an ellipsis.
    /// </summary>
    public static string Quote(string text, int maxLength = MaxQuoted) => "'" + Clip(text, maxLength) + "'";

    /// <summary><paramref name="text"/> as <see cref="Quote"/> shows it, without the quotes.</summary>
    public static string Clip(string text, int maxLength = MaxQuoted)
    {
        bool cut = text.Length > maxLength;
        // A cut never splits a surrogate pair.
        int length = cut && char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : Math.Min(text.Length, maxLength);
        var sb = new StringBuilder(length + 1);
        foreach (char c in text.AsSpan(0, length)) sb.Append(char.IsControl(c) ? '?' : c);
        return cut ? sb.Append('…').ToString() : sb.ToString();
    }

    /// <summary>
    /// A file path in single quotes; a path longer than <paramref name="maxLength"/> keeps its end (the file's name) behind
    /// an ellipsis.
    /// </summary>
    public static string QuotePath(string path, int maxLength = 120) => "'" + ClipPath(path, maxLength) + "'";

    /// <summary><paramref name="path"/> as <see cref="QuotePath"/> shows it, without the quotes.</summary>
    public static string ClipPath(string path, int maxLength = 120)
    {
        if (path.Length <= maxLength) return Clip(path, maxLength);
        int start = path.Length - maxLength;
        if (char.IsLowSurrogate(path[start])) start++;
        return "…" + Clip(path[start..], maxLength);
    }
}
