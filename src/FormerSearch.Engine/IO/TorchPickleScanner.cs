using System.Buffers.Binary;
using System.Text;

namespace FormerSearch.Engine.IO;

/// <summary>
/// Walks a checkpoint's pickle opcode by opcode, running nothing, before anything unpickles it: every global it names
/// must be one a state dict uses (<see cref="AllowedGlobals"/>), and the opcodes that call something not named by a
/// checked global (INST, OBJ, EXT1/2/4, text PERSID, out-of-band buffers) are refused outright. A checkpoint is
/// untrusted input: Python's unpickler would call whatever global the file names, so FormerSearch reads only what a
/// state dict needs. On the way it notes where each text string first appears, which gives every dictionary's
/// insertion order back (Razorvine's dictionaries do not keep it).
/// </summary>
internal static class TorchPickleScanner
{
    /// <summary>
    /// The globals a checkpoint of tensors may name: the dictionary and tensor rebuilders, the storage types, <c>torch.Size</c>,
    /// and <c>argparse.Namespace</c> — training scripts (timm, DeiT, AutoFormer) store their arguments in it, and it is read
    /// as an inert record of names and values.
    /// </summary>
    public static readonly IReadOnlySet<string> AllowedGlobals = new HashSet<string>(StringComparer.Ordinal)
    {
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "torch.Size", "argparse.Namespace",
        "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.DoubleStorage", "torch.LongStorage",
        "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage",
    };

    /// <summary>What the scan learnt: the byte offset at which each text string first appears.</summary>
    public sealed record Result(IReadOnlyDictionary<string, int> FirstOffsets);

    /// <summary>Checks <paramref name="pickle"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="UserInputException">A global outside <see cref="AllowedGlobals"/>, a refused or unknown opcode, or a truncated stream; one sentence naming the file and what was found.</exception>
    public static Result Scan(ReadOnlySpan<byte> pickle, string source)
    {
        var firstOffsets = new Dictionary<string, int>(StringComparer.Ordinal);
        // The values of the opcodes just before, when each pushed a known string (what STACK_GLOBAL takes), and the memo
        // slots holding strings: protocol 4 names a global by pushing two strings, often one fetched from the memo.
        var recentStrings = new List<string>();
        var memoStrings = new Dictionary<long, string>();
        var memoSlots = new HashSet<long>();
        int i = 0;
        while (true)
        {
            if (i >= pickle.Length) throw Bad(source, "its pickle ends without a STOP opcode (truncated)");
            int at = i;
            byte op = pickle[i++];
            string? pushed = null;
            bool keepsStack = false;
            switch (op)
            {
                case (byte)'.': return new Result(firstOffsets);
                // No operand.
                case (byte)'(': case (byte)'0': case (byte)'1': case (byte)'2': case (byte)'N': case (byte)'R': case (byte)'a':
                case (byte)'b': case (byte)'d': case (byte)'}': case (byte)'e': case (byte)'l': case (byte)']': case (byte)'s':
                case (byte)'t': case (byte)')': case (byte)'u': case (byte)'Q': case 0x81: case 0x85: case 0x86: case 0x87:
                case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91: case 0x92:
                    break;
                // A line of text.
                case (byte)'F': case (byte)'I': case (byte)'L': Line(pickle, ref i, source); break;
                case (byte)'S': case (byte)'V':
                    pushed = Line(pickle, ref i, source);
                    break;
                case (byte)'g': pushed = memoStrings.GetValueOrDefault(Slot(Line(pickle, ref i, source), source)); break;
                case (byte)'p': Remember(memoStrings, memoSlots, Slot(Line(pickle, ref i, source), source), recentStrings); keepsStack = true; break;
                case (byte)'c':
                    {
                        string module = Line(pickle, ref i, source), name = Line(pickle, ref i, source);
                        Check(module, name, source);
                        break;
                    }
                case 0x93:
                    if (recentStrings.Count < 2) throw Bad(source, $"it names a global at byte {at} from values that cannot be checked before unpickling");
                    Check(recentStrings[^2], recentStrings[^1], source);
                    break;
                // Fixed-size operands.
                case (byte)'K': case 0x80: Skip(pickle, ref i, 1, source); break;
                case (byte)'M': Skip(pickle, ref i, 2, source); break;
                case (byte)'J': Skip(pickle, ref i, 4, source); break;
                case (byte)'G': Skip(pickle, ref i, 8, source); break;
                case 0x95: Skip(pickle, ref i, 8, source); keepsStack = true; break;
                case (byte)'h': pushed = memoStrings.GetValueOrDefault(Operand(pickle, ref i, 1, source)); break;
                // Memo slots are read as the unpickler reads them (4-byte ones signed), so both agree on which slot is which.
                case (byte)'j': pushed = memoStrings.GetValueOrDefault((int)Operand(pickle, ref i, 4, source)); break;
                case (byte)'q': Remember(memoStrings, memoSlots, Operand(pickle, ref i, 1, source), recentStrings); keepsStack = true; break;
                case (byte)'r': Remember(memoStrings, memoSlots, (int)Operand(pickle, ref i, 4, source), recentStrings); keepsStack = true; break;
                // MEMOIZE stores into slot "number of slots written so far", as the unpickler counts them.
                case 0x94: Remember(memoStrings, memoSlots, memoSlots.Count, recentStrings); keepsStack = true; break;
                // Length-prefixed operands.
                case 0x8a: case (byte)'U': case (byte)'C': Skip(pickle, ref i, Operand(pickle, ref i, 1, source), source); break;
                case 0x8c: pushed = Text(pickle, ref i, Operand(pickle, ref i, 1, source), source, firstOffsets, at); break;
                case (byte)'X': pushed = Text(pickle, ref i, Operand(pickle, ref i, 4, source), source, firstOffsets, at); break;
                case 0x8d: pushed = Text(pickle, ref i, Operand(pickle, ref i, 8, source), source, firstOffsets, at); break;
                case 0x8b: case (byte)'T': case (byte)'B': Skip(pickle, ref i, Operand(pickle, ref i, 4, source), source); break;
                case 0x8e: case 0x96: Skip(pickle, ref i, Operand(pickle, ref i, 8, source), source); break;
                case (byte)'i': case (byte)'o': case 0x82: case 0x83: case 0x84: case (byte)'P': case 0x97: case 0x98:
                    throw Bad(source, $"its pickle uses opcode 0x{op:x2} at byte {at}, which calls objects a state dict never needs");
                default:
                    throw Bad(source, $"its pickle has the unknown opcode 0x{op:x2} at byte {at}");
            }
            if (pushed is not null) recentStrings.Add(pushed);
            else if (!keepsStack) recentStrings.Clear();
        }
    }

    private static void Check(string module, string name, string source)
    {
        string global = module + "." + name;
        if (AllowedGlobals.Contains(global)) return;
        string hint = module.StartsWith("torch", StringComparison.Ordinal) || module.StartsWith("__torch__", StringComparison.Ordinal) || module == "__main__"
            ? "; it may be a whole pickled model or a TorchScript file: save its state_dict() instead"
            : "; a checkpoint of weights never needs it, and nothing of it was run";
        string Message(string shown) => $"'{shown}' was refused: its pickle names the Python global {global}, which is never unpickled{hint}.";
        string message = Message(source);
        // A deep path must not push the hint out of a one-sentence message: name the file alone then.
        if (message.Length > 300) message = Message(Path.GetFileName(source));
        if (message.Length > 300) message = message[..296] + "…).";
        throw new UserInputException(message);
    }

    private static long Slot(string text, string source) =>
        int.TryParse(text, out int slot) ? slot : throw Bad(source, $"its pickle has the memo slot '{text}', which is not a number");

    // A memo write: the slot now holds the value on top of the stack, a known string or not.
    private static void Remember(Dictionary<long, string> memo, HashSet<long> slots, long slot, List<string> recent)
    {
        slots.Add(slot);
        if (recent.Count > 0) memo[slot] = recent[^1];
        else memo.Remove(slot);
    }

    private static string Line(ReadOnlySpan<byte> p, ref int i, string source)
    {
        int n = p[i..].IndexOf((byte)'\n');
        if (n < 0) throw Bad(source, "its pickle is truncated inside a line of text");
        var text = Encoding.UTF8.GetString(p.Slice(i, n));
        i += n + 1;
        return text;
    }

    private static long Operand(ReadOnlySpan<byte> p, ref int i, int size, string source)
    {
        if (p.Length - i < size) throw Bad(source, "its pickle is truncated inside an operand");
        long value = size switch
        {
            1 => p[i],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(p[i..]),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(p[i..]),
            _ => BinaryPrimitives.ReadInt64LittleEndian(p[i..]),
        };
        i += size;
        return value;
    }

    private static void Skip(ReadOnlySpan<byte> p, ref int i, long count, string source)
    {
        if (count < 0 || count > p.Length - i) throw Bad(source, "its pickle is truncated inside a value");
        i += (int)count;
    }

    private static string Text(ReadOnlySpan<byte> p, ref int i, long length, string source, Dictionary<string, int> firstOffsets, int at)
    {
        if (length < 0 || length > p.Length - i) throw Bad(source, "its pickle is truncated inside a string");
        var text = Encoding.UTF8.GetString(p.Slice(i, (int)length));
        i += (int)length;
        firstOffsets.TryAdd(text, at);
        return text;
    }

    private static UserInputException Bad(string source, string what) => new($"'{source}' is not a valid PyTorch checkpoint: {what}.");
}
