using System.Buffers.Binary;
using FormerSearch.Engine;

namespace FormerSearch.Testing;

/// <summary>
/// A fuzz-style generator of corrupt files from a valid one (truncations, flipped and inserted bytes, absurd lengths,
/// appended garbage), reproducible from a seed, and the check every parser of user files must pass on each: it
/// returns or refuses with a <see cref="UserInputException"/> of one line of at most 300 characters naming the file —
/// never another exception, never a hang. Shared by the test projects (linked into FormerSearch.Tests).
/// </summary>
public static class HostileInputs
{
    /// <summary>The longest message allowed.</summary>
    public const int MaxMessage = 300;

    /// <summary>How long one case may run before it counts as a hang.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// <paramref name="count"/> corruptions of <paramref name="valid"/> (seed <paramref name="seed"/>), each named: every
    /// truncation of the first <paramref name="headerBytes"/> bytes, then random truncations, flips, insertions,
    /// deletions, absurd 4- and 8-byte lengths at random places and appended garbage, in turn.
    /// </summary>
    public static List<(string Name, byte[] Bytes)> Corruptions(byte[] valid, int seed, int count, int headerBytes = 64)
    {
        var rng = new Random(seed);
        var cases = new List<(string, byte[])>();
        for (int cut = 0; cut < Math.Min(headerBytes, valid.Length) && cases.Count < count / 4; cut++) cases.Add(($"truncated at {cut}", valid[..cut]));
        while (cases.Count < count)
        {
            var bytes = (byte[])valid.Clone();
            int at = rng.Next(Math.Max(1, bytes.Length));
            switch (cases.Count % 6)
            {
                case 0:
                    cases.Add(($"truncated at {at}", valid[..at]));
                    break;
                case 1:
                    int flips = 1 + rng.Next(4);
                    for (int i = 0; i < flips && bytes.Length > 0; i++) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                    cases.Add(($"{flips} byte(s) changed", bytes));
                    break;
                case 2:
                    cases.Add(($"byte inserted at {at}", [.. valid[..at], (byte)rng.Next(256), .. valid[at..]]));
                    break;
                case 3:
                    cases.Add(($"byte deleted at {at}", valid.Length == 0 ? valid : [.. valid[..at], .. valid[Math.Min(at + 1, valid.Length)..]]));
                    break;
                case 4:
                    int width = rng.Next(2) == 0 ? 4 : 8;
                    int where = rng.Next(Math.Min(headerBytes, Math.Max(1, bytes.Length - width)));
                    if (where + width <= bytes.Length)
                    {
                        ulong absurd = rng.Next(3) switch { 0 => ulong.MaxValue, 1 => 0x7FFF_FFFF_FFFF_FFFF, _ => (ulong)rng.NextInt64() };
                        if (width == 8) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(where), absurd);
                        else BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(where), (uint)absurd);
                    }
                    cases.Add(($"absurd {width}-byte number at {where}", bytes));
                    break;
                default:
                    var garbage = new byte[1 + rng.Next(64)];
                    rng.NextBytes(garbage);
                    cases.Add(($"{garbage.Length} bytes of garbage appended", [.. valid, .. garbage]));
                    break;
            }
        }
        return cases;
    }

    /// <summary>
    /// Runs <paramref name="read"/> on one case: it must return, or throw a <see cref="UserInputException"/> whose message is
    /// one line of at most <see cref="MaxMessage"/> characters containing <paramref name="name"/>, within <see cref="CaseTimeout"/>.
    /// </summary>
    /// <returns>The refusal, or null when the case was accepted.</returns>
    public static UserInputException? Check(string caseName, string name, Action read)
    {
        Exception? thrown = null;
        var task = Task.Run(() =>
        {
            try { read(); }
            catch (Exception e) { thrown = e; }
        });
        if (!task.Wait(CaseTimeout)) Assert.Fail($"{caseName}: still running after {CaseTimeout.TotalSeconds} s (a hang).");
        if (thrown is null) return null;
        if (thrown is not UserInputException refusal) throw new Xunit.Sdk.XunitException($"{caseName}: {thrown.GetType().Name} instead of UserInputException: {thrown}");
        Assert.True(refusal.Message.Length <= MaxMessage, $"{caseName}: message of {refusal.Message.Length} characters: {refusal.Message}");
        Assert.DoesNotContain('\n', refusal.Message);
        Assert.True(refusal.Message.Contains(name, StringComparison.Ordinal), $"{caseName}: the message does not name {name}: {refusal.Message}");
        return refusal;
    }

    /// <summary>As <see cref="Check"/>, and the case must be refused.</summary>
    public static UserInputException Refused(string caseName, string name, Action read) =>
        Check(caseName, name, read) ?? throw new Xunit.Sdk.XunitException($"{caseName}: accepted, but it is corrupt.");
}
