using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FormerSearch.Engine.IO;

/// <summary>
/// The parsed header of a .npy file: dtype descriptor, shape, and where the data starts. Parsing
/// accepts format versions 1.0, 2.0 and 3.0 and the Python dict literal numpy writes
/// (<c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>).
/// </summary>
internal readonly record struct NpyHeader(string Descr, bool FortranOrder, long[] Shape, int DataOffset)
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Element count (the product of the shape; 1 for a 0-d array).</summary>
    public long Count
    {
        get
        {
            long n = 1;
            foreach (long s in Shape) n = checked(n * s);
            return n;
        }
    }

    /// <summary>Parses the header of <paramref name="bytes"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="UserInputException">The magic, version, length or dict is malformed.</exception>
    public static NpyHeader Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw Npy.Bad(source, "it does not start with the .npy magic string");
        byte major = bytes[6];
        int lengthBytes = major switch { 1 => 2, 2 or 3 => 4, _ => throw Npy.Bad(source, $"format version {major}.{bytes[7]} is not supported (1.0, 2.0 and 3.0 are)") };
        if (bytes.Length < 8 + lengthBytes) throw Npy.Bad(source, "it is truncated inside the header length");
        long headerLength = lengthBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        long dataOffset = 8 + lengthBytes + headerLength;
        if (dataOffset > bytes.Length)
            throw Npy.Bad(source, $"its header claims {headerLength} bytes but only {bytes.Length - 8 - lengthBytes} follow (truncated)");
        var raw = bytes.Slice(8 + lengthBytes, (int)headerLength);
        string text = major == 3 ? Encoding.UTF8.GetString(raw) : Encoding.Latin1.GetString(raw);

        var parser = new DictParser(text, source);
        var (descr, fortran, shape) = parser.Parse();
        return new NpyHeader(descr, fortran, shape, (int)dataOffset);
    }

    /// <summary>The full header bytes (magic through padding and newline) for a C-order array, 64-byte aligned as numpy writes it.</summary>
    public static byte[] Build(string descr, ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("{'descr': '").Append(descr).Append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.Length; i++)
        {
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
            if (shape.Length == 1 || i < shape.Length - 1) sb.Append(shape.Length == 1 ? "," : ", ");
        }
        sb.Append("), }");
        int textLength = sb.Length + 1; // plus the newline
        int version = 10 + textLength <= ushort.MaxValue ? 1 : 2;
        int prefix = version == 1 ? 10 : 12;
        int padded = (prefix + textLength + 63) / 64 * 64;
        sb.Append(' ', padded - prefix - textLength).Append('\n');
        var text = Encoding.Latin1.GetBytes(sb.ToString());
        var result = new byte[prefix + text.Length];
        Magic.CopyTo(result);
        result[6] = (byte)version;
        result[7] = 0;
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)text.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)text.Length);
        text.CopyTo(result, prefix);
        return result;
    }

    /// <summary>A minimal parser for the one Python literal numpy writes.</summary>
    private ref struct DictParser(string text, string source)
    {
        private int _pos;

        public (string Descr, bool Fortran, long[] Shape) Parse()
        {
            string? descr = null;
            bool? fortran = null;
            long[]? shape = null;
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { _pos++; break; }
                string key = ReadString();
                if (key is "descr" && descr is not null || key is "fortran_order" && fortran is not null || key is "shape" && shape is not null)
                    throw Npy.Bad(source, $"its header has the key {InputText.Quote(key)} twice");
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr": descr = ReadString(); break;
                    case "fortran_order": fortran = ReadBool(); break;
                    case "shape": shape = ReadShape(); break;
                    default: throw Npy.Bad(source, $"its header has an unknown key {InputText.Quote(key)}");
                }
                SkipSpace();
                if (Peek() == ',') _pos++;
                else if (Peek() != '}') throw Npy.Bad(source, $"its header dict is malformed at character {_pos}");
            }
            if (descr is null || fortran is null || shape is null)
                throw Npy.Bad(source, "its header lacks 'descr', 'fortran_order' or 'shape'");
            SkipSpace();
            if (_pos != text.Length) throw Npy.Bad(source, "its header has text after the dict");
            return (descr, fortran.Value, shape);
        }

        private readonly char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Npy.Bad(source, $"its header dict is malformed: expected '{c}' at character {_pos}");
            _pos++;
        }

        private string ReadString()
        {
            SkipSpace();
            char quote = Peek();
            if (quote != '\'' && quote != '"') throw Npy.Bad(source, $"its header dict is malformed: expected a string at character {_pos}");
            int end = text.IndexOf(quote, _pos + 1);
            if (end < 0) throw Npy.Bad(source, "its header has an unterminated string");
            string s = text[(_pos + 1)..end];
            _pos = end + 1;
            return s;
        }

        private bool ReadBool()
        {
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw Npy.Bad(source, "its 'fortran_order' is neither True nor False");
        }

        private long[] ReadShape()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { _pos++; break; }
                int start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                // numpy may write 'L' suffixes (Python 2 longs); accept them.
                if (!long.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                    throw Npy.Bad(source, $"its shape is malformed at character {start}");
                if (Peek() == 'L') _pos++;
                dims.Add(d);
                SkipSpace();
                if (Peek() == ',') _pos++;
                else if (Peek() != ')') throw Npy.Bad(source, $"its shape is malformed at character {_pos}");
            }
            return [.. dims];
        }
    }
}
