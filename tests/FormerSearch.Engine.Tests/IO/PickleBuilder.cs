using System.Buffers.Binary;
using System.Text;

namespace FormerSearch.Engine.Tests.IO;

/// <summary>Pickle bytes written opcode by opcode (protocol 2), for checkpoints the tests build themselves, hostile ones included.</summary>
internal sealed class PickleBuilder
{
    private readonly MemoryStream _bytes = new();

    public PickleBuilder Op(byte op) { _bytes.WriteByte(op); return this; }

    public PickleBuilder Raw(ReadOnlySpan<byte> bytes) { _bytes.Write(bytes); return this; }

    public PickleBuilder Proto(byte version = 2) => Op(0x80).Op(version);

    public PickleBuilder Mark() => Op((byte)'(');

    public PickleBuilder Global(string module, string name) => Op((byte)'c').Raw(Encoding.UTF8.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder Str(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Op((byte)'X').Raw(length).Raw(utf8);
    }

    public PickleBuilder Int(long value)
    {
        Span<byte> b = stackalloc byte[8];
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
            return Op((byte)'J').Raw(b[..4]);
        }
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        return Op(0x8a).Op(8).Raw(b);
    }

    public PickleBuilder Tuple() => Op((byte)'t');

    public PickleBuilder EmptyTuple() => Op((byte)')');

    public PickleBuilder Reduce() => Op((byte)'R');

    public PickleBuilder SetItems() => Op((byte)'u');

    public PickleBuilder OrderedDict() => Global("collections", "OrderedDict").EmptyTuple().Reduce();

    /// <summary><c>torch._utils._rebuild_tensor_v2</c> of a view of storage <paramref name="key"/> (float32 of <paramref name="numel"/> elements).</summary>
    public PickleBuilder Tensor(string key, long numel, long offset, long[] shape, long[] stride, string storageType = "FloatStorage")
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(numel).Tuple().Op((byte)'Q');
        Int(offset);
        Mark(); foreach (long s in shape) Int(s); Tuple();
        Mark(); foreach (long s in stride) Int(s); Tuple();
        Op(0x89).OrderedDict().Tuple().Reduce();
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>Ends the pickle with STOP and returns it.</summary>
    public byte[] Stop() => Op((byte)'.').ToArray();
}
