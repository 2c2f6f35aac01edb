using System.Globalization;
using System.Text;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Models;

/// <summary>
/// Reads Python literals and JSON (its subset) into plain values: dictionaries with string keys
/// (<c>Dictionary&lt;string, object?&gt;</c>), lists (<c>List&lt;object?&gt;</c>), strings, integers (<c>long</c>),
/// floats (<c>double</c>), booleans and None/null, as statements <c>[name =] value</c> with <c>#</c> comments.
/// Errors are <see cref="UserInputException"/>s naming the source, line and column.
/// </summary>
internal sealed class LiteralParser(string text, string source)
{
    // Dictionaries and lists nested deeper than this are refused: an architecture needs 4 levels, and the parser recurses.
    private const int MaxDepth = 64;

    private int _pos;
    private int _depth;

    /// <summary>Each statement's assigned name (<c>""</c> when bare) and value, in order.</summary>
    public List<(string Name, object? Value)> Statements()
    {
        var result = new List<(string, object?)>();
        while (true)
        {
            SkipSpace();
            if (_pos >= text.Length) return result;
            if (text[_pos] == ';') { _pos++; continue; }
            string name = "";
            int start = _pos;
            if (IsIdentStart(text[_pos]))
            {
                string ident = Ident();
                SkipSpace();
                if (_pos < text.Length && text[_pos] == '=')
                {
                    _pos++;
                    name = ident;
                }
                else
                {
                    _pos = start;
                }
            }
            result.Add((name, Value()));
        }
    }

    private object? Value()
    {
        SkipSpace();
        if (_pos >= text.Length) throw Error("the text ends where a value should be");
        char c = text[_pos];
        switch (c)
        {
            case '{' or '[':
                if (++_depth > MaxDepth) throw Error($"dictionaries and lists are nested more than {MaxDepth} deep");
                object container = c == '{' ? DictValue() : ListValue();
                _depth--;
                return container;
            case '\'' or '"': return StringValue();
        }
        if (c == '-' || c == '+' || char.IsAsciiDigit(c) || c == '.') return Number();
        if (IsIdentStart(c))
        {
            int start = _pos;
            string ident = Ident();
            switch (ident)
            {
                case "True" or "true": return true;
                case "False" or "false": return false;
                case "None" or "null": return null;
            }
            _pos = start;
            throw Error($"{InputText.Quote(ident)} is not a value (dictionaries, lists, strings, numbers, True/False/None)");
        }
        throw Error($"unexpected {InputText.Quote(c.ToString())}");
    }

    private Dictionary<string, object?> DictValue()
    {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        _pos++;
        while (true)
        {
            SkipSpace();
            if (Peek() == '}') { _pos++; return dict; }
            int keyPos = _pos;
            if (Peek() is not ('\'' or '"')) throw Error("a dictionary key must be a quoted string");
            string key = StringValue();
            SkipSpace();
            Expect(':');
            var value = Value();
            if (!dict.TryAdd(key, value)) { _pos = keyPos; throw Error($"key {InputText.Quote(key)} appears twice"); }
            SkipSpace();
            if (Peek() == ',') { _pos++; continue; }
            if (Peek() == '}') { _pos++; return dict; }
            throw Error("expected ',' or '}' in a dictionary");
        }
    }

    private List<object?> ListValue()
    {
        var list = new List<object?>();
        _pos++;
        while (true)
        {
            SkipSpace();
            if (Peek() == ']') { _pos++; return list; }
            list.Add(Value());
            SkipSpace();
            if (Peek() == ',') { _pos++; continue; }
            if (Peek() == ']') { _pos++; return list; }
            throw Error("expected ',' or ']' in a list");
        }
    }

    private string StringValue()
    {
        char quote = text[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= text.Length || text[_pos] == '\n') throw Error("a string is not closed");
            char c = text[_pos++];
            if (c == quote) return sb.ToString();
            if (c != '\\') { sb.Append(c); continue; }
            if (_pos >= text.Length) throw Error("a string is not closed");
            char e = text[_pos++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'u' when _pos + 4 <= text.Length && int.TryParse(text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code):
                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default: sb.Append(e); break;
            }
        }
    }

    private object Number()
    {
        int start = _pos;
        if (text[_pos] is '-' or '+') _pos++;
        while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '.' or '_'
            || (text[_pos] is '-' or '+' && (text[_pos - 1] is 'e' or 'E')))) _pos++;
        string s = text[start.._pos].Replace("_", "", StringComparison.Ordinal);
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return d;
        _pos = start;
        throw Error($"{InputText.Quote(text[start..Math.Min(text.Length, start + 20)].Split(',', '}', ']')[0])} is not a number");
    }

    private string Ident()
    {
        int start = _pos;
        while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
        return text[start.._pos];
    }

    private static bool IsIdentStart(char c) => char.IsLetter(c) || c == '_';

    private char Peek() => _pos < text.Length ? text[_pos] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c) throw Error($"expected '{c}'");
        _pos++;
    }

    private void SkipSpace()
    {
        while (_pos < text.Length)
        {
            char c = text[_pos];
            if (c == '#')
            {
                while (_pos < text.Length && text[_pos] != '\n') _pos++;
            }
            else if (char.IsWhiteSpace(c) || c == '\\')
            {
                _pos++;   // a backslash outside a string continues a Python line
            }
            else
            {
                return;
            }
        }
    }

    private UserInputException Error(string what)
    {
        int line = 1, column = 1;
        for (int i = 0; i < Math.Min(_pos, text.Length); i++)
        {
            if (text[i] == '\n') { line++; column = 1; }
            else column++;
        }
        return new UserInputException($"{InputText.ClipPath(source)}: line {line}, column {column}: {what}.");
    }
}
