using System.Text;
using System.Text.RegularExpressions;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Testing;

namespace FormerSearch.Tests.Models;

/// <summary>
/// Hostile architecture files generated from valid ones with fixed seeds, in each format <c>--arch</c> reads — a space's
/// architecture JSON (AutoFormer, GLiT, BurgerFormer spaces), a BurgerFormer <c>arch.py</c> dictionary and an AutoFormer
/// experiment YAML: bytes corrupted, each number and string replaced by a hostile value, keys removed, deep nesting, empty
/// files. Each is read or refused in one short line naming the file, never another exception; absurd sizes are refused,
/// not capped.
/// </summary>
public sealed class ArchitectureFileHostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-hostile-arch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] HostileValues =
        ["-1", "0", "1e30", "2147483648", "1.5", "'x'", "''", "True", "None", "[]", "{}", "-9223372036854775809", "NaN", new string('[', 3000) + new string(']', 3000)];

    private static string AutoFormerYamlText => "RETRAIN:\n  MLP_RATIO: [4.0, 3.5, 4.0]\n  NUM_HEADS: [3, 3, 4]\n  EMBED_DIM: 192\n  DEPTH: 3\n";

    private static string BurgerArchText()
    {
        var space = new BurgerSpace("mini");
        return BurgerFormerArchFormat.ToPython(space.ToConfig(space.Smallest()), "arch");
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static TheoryData<string, int> Formats() => new() { { "autoformer.json", 1341 }, { "glit.json", 1342 }, { "burger.json", 1343 }, { "arch.py", 1344 }, { "AutoFormer-T.yaml", 1345 } };

    private static string ValidText(string format) => format switch
    {
        "autoformer.json" => SearchSpaces.Create("autoformer", "mini").Smallest().ToJson(),
        "glit.json" => SearchSpaces.Create("glit", "mini").Largest().ToJson(),
        "burger.json" => SearchSpaces.Create("burger", "mini").Smallest().ToJson(),
        "arch.py" => BurgerArchText(),
        _ => AutoFormerYamlText,
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Two_hundred_generated_byte_corruptions_are_read_or_refused(string format, int seed)
    {
        var valid = Encoding.UTF8.GetBytes(ValidText(format));
        string path = Write(format, valid);
        Assert.NotNull(ArchitectureFile.Load(path));
        var cases = HostileInputs.Corruptions(valid, seed, count: 200, headerBytes: 40);
        foreach (var (name, bytes) in cases)
        {
            File.WriteAllBytes(path, bytes);
            HostileInputs.Check(name, path, () => ArchitectureFile.Load(path));
        }
        Assert.Equal(200, cases.Count);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_value_replaced_by_a_hostile_one_is_read_or_refused(string format, int seed)
    {
        string valid = ValidText(format);
        // Every number, quoted string and boolean of the file, each replaced in turn.
        var values = Regex.Matches(valid, @"-?\d+(\.\d+)?|'[^'\n]*'|""[^""\n]*""|\bTrue\b|\bFalse\b").ToList();
        var rng = new Random(seed);
        string path = Path.Combine(_dir, format);
        int cases = 0;
        for (int i = 0; i < 200; i++)
        {
            var m = values[rng.Next(values.Count)];
            string hostile = HostileValues[rng.Next(HostileValues.Length)];
            if (format.EndsWith(".json", StringComparison.Ordinal)) hostile = hostile.Replace('\'', '"').Replace("True", "true").Replace("None", "null");
            File.WriteAllText(path, valid[..m.Index] + hostile + valid[(m.Index + m.Length)..]);
            HostileInputs.Check($"{m.Value} -> {hostile[..Math.Min(hostile.Length, 12)]}", path, () => ArchitectureFile.Load(path));
            cases++;
        }
        Assert.Equal(200, cases);
    }

    [Theory]
    [InlineData("RETRAIN:\n  MLP_RATIO: 4.0\n  NUM_HEADS: 4\n  EMBED_DIM: 1e30\n  DEPTH: 3\n", "EMBED_DIM")]
    [InlineData("RETRAIN:\n  MLP_RATIO: 4.0\n  NUM_HEADS: 4\n  EMBED_DIM: 2147483648\n  DEPTH: 3\n", "EMBED_DIM")]
    [InlineData("RETRAIN:\n  MLP_RATIO: 4.0\n  NUM_HEADS: 4\n  EMBED_DIM: 256\n  DEPTH: 1000000000\n", "DEPTH")]
    [InlineData("RETRAIN:\n  MLP_RATIO: 4.0\n  NUM_HEADS: 4\n  EMBED_DIM: -256\n  DEPTH: 3\n", "EMBED_DIM")]
    [InlineData("RETRAIN:\n  MLP_RATIO: 4.0\n  NUM_HEADS: 4\n  EMBED_DIM: 25.6\n  DEPTH: 3\n", "EMBED_DIM")]
    [InlineData("RETRAIN:\n  MLP_RATIO: 4.0\n  NUM_HEADS: [a, b]\n  EMBED_DIM: 256\n  DEPTH: 2\n", "NUM_HEADS")]
    [InlineData("RETRAIN:\n  MLP_RATIO: .nan\n  NUM_HEADS: 4\n  EMBED_DIM: 256\n  DEPTH: 2\n", "MLP_RATIO")]
    [InlineData("RETRAIN: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", "nested")]
    [InlineData("", "no architecture format")]
    [InlineData("{'stage-1': {'macro': " + "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "nested")]
    [InlineData("{'stage-1': {'macro': {'depth': 1e30, 'width': 32, 'ratio': 4}}}", "depth")]
    [InlineData("{'stage-1': {'macro': {'depth': 99999999999999999999, 'width': 32, 'ratio': 4}}}", "depth")]
    public void Absurd_sizes_deep_nesting_and_empty_files_are_refused(string text, string what)
    {
        string path = Write("hostile.arch", Encoding.UTF8.GetBytes(text));
        Assert.Contains(what, HostileInputs.Refused(what, path, () => ArchitectureFile.Load(path)).Message);
    }

    [Fact]
    public void A_deeply_nested_file_of_each_format_is_refused_without_a_stack_overflow()
    {
        string deep = new('[', 200_000);
        foreach (var (name, text) in new[] { ("a.json", "{\"space\": \"glit\", \"choices\": " + deep), ("a.py", "{'stage-1': {'macro': " + deep), ("a.yaml", "RETRAIN: " + deep) })
        {
            string path = Write(name, Encoding.UTF8.GetBytes(text));
            HostileInputs.Refused(name, path, () => ArchitectureFile.Load(path));
        }
    }
}
