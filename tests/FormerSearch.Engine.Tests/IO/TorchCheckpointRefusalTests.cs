using System.IO.Compression;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Engine.Tests.IO;

/// <summary>
/// A checkpoint is untrusted input: a pickle naming any global a state dict does not use is refused before anything is
/// unpickled (the fixture's os.system command, which torch.load runs, is shown not to have run), and damaged, truncated,
/// impossible or oversized files are one sentence naming the file.
/// </summary>
public sealed class TorchCheckpointRefusalTests
{
    // Where make_pth.py's evil checkpoints would `touch` a file if anything ran them.
    private const string SideEffect = "/tmp/formersearch-pickle-side-effect";

    private static UserInputException Refused(string path, string? key = null)
    {
        var e = Assert.Throws<UserInputException>(() => StateDictFile.Load(path, key, _ => { }));
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(e.Message.Length <= 320, e.Message);
        Assert.Contains(path, e.Message);
        return e;
    }

    private static string WithPickle(byte[] pickle, Dictionary<string, byte[]>? records = null, CompressionLevel level = CompressionLevel.NoCompression)
    {
        string path = IoFixtures.TempFile(".pth");
        TorchCheckpointWriter.SaveRaw(path, pickle, records ?? [], level);
        return path;
    }

    [Theory]
    [InlineData("evil.pth")]
    [InlineData("evil4.pth")]
    public void A_pickle_that_would_run_a_command_is_refused_and_nothing_runs(string file)
    {
        File.Delete(SideEffect);
        var e = Refused(IoFixtures.Pth(file));
        Assert.Contains("posix.system", e.Message);
        Assert.False(File.Exists(SideEffect), "the checkpoint's command ran");
        Assert.Throws<UserInputException>(() => TorchCheckpoint.ReadShapes(IoFixtures.Pth(file)));
        Assert.False(File.Exists(SideEffect), "the checkpoint's command ran");
    }

    [Fact]
    public void A_whole_pickled_module_is_refused_with_a_hint()
    {
        var e = Refused(IoFixtures.Pth("whole_module.pth"));
        Assert.Contains("torch.nn.modules.linear.Linear", e.Message);
        Assert.Contains("state_dict()", e.Message);
    }

    [Fact]
    public void A_deep_path_keeps_the_hint_and_names_the_file()
    {
        string folder = Path.Combine(Path.GetTempPath(), "formersearch-" + new string('d', 120), new string('e', 120));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "whole_module.pth");
        File.Copy(IoFixtures.Pth("whole_module.pth"), path, overwrite: true);
        var e = Assert.Throws<UserInputException>(() => StateDictFile.Load(path, null, _ => { }));
        Assert.True(e.Message.Length <= 300, e.Message);
        Assert.Contains("'whole_module.pth'", e.Message);
        Assert.Contains("state_dict()", e.Message);
    }

    [Fact]
    public void The_legacy_format_gets_a_sentence_saying_how_to_re_save_it()
    {
        var e = Refused(IoFixtures.Pth("legacy.pt"));
        Assert.Contains("before PyTorch 1.6", e.Message);
        Assert.Contains("torch.save(torch.load(", e.Message);
    }

    public static TheoryData<string, byte[]> HostilePickles()
    {
        var data = new TheoryData<string, byte[]>
        {
            { "builtins.eval", new PickleBuilder().Proto().Global("builtins", "eval").Mark().Str("1").Tuple().Reduce().Stop() },
            { "opcode 0x69", new PickleBuilder().Proto().Mark().Raw("ios\nsystem\n"u8).Stop() },                 // INST
            { "opcode 0x6f", new PickleBuilder().Proto().Mark().Global("torch", "Size").Op((byte)'o').Stop() },  // OBJ
            { "opcode 0x82", new PickleBuilder().Proto().Op(0x82).Op(1).Stop() },                                   // EXT1
            { "opcode 0x50", new PickleBuilder().Proto().Raw("Pid\n"u8).Stop() },                                    // text PERSID
            { "unknown opcode", new PickleBuilder().Proto().Op(0xff).Stop() },
            { "without a STOP", new PickleBuilder().Proto().OrderedDict().ToArray() },
            // A global named by STACK_GLOBAL from values the scan cannot know (a memo slot written while a number was on top).
            { "cannot be checked", new PickleBuilder().Proto(4).Int(1).Op(0x94).Op((byte)'0').Op((byte)'h').Op(0).Str("system").Op(0x93).Stop() },
            { "os.system", new PickleBuilder().Proto(4).Op(0x8c).Op(2).Raw("os"u8).Op(0x94).Op(0x8c).Op(6).Raw("system"u8).Op(0x93).Stop() },
            // Slot -1 written as text and as 0xFFFFFFFF is one slot to the unpickler: the scan must see 'os' there too, not 'torch'.
            { "os.system", new PickleBuilder().Proto(4).Str("torch").Raw("p-1\n0"u8).Str("os").Op((byte)'r').Raw([0xff, 0xff, 0xff, 0xff]).Op((byte)'0')
                .Raw("g-1\n"u8).Str("system").Op(0x93).Stop() },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(HostilePickles))]
    public void Hostile_or_broken_pickles_are_refused_before_unpickling(string expected, byte[] pickle)
    {
        string path = WithPickle(pickle);
        try { Assert.Contains(expected, Refused(path).Message); }
        finally { File.Delete(path); }
    }

    public static TheoryData<string, byte[], int> ImpossibleTensors() => new()
    {
        // storage of 4 floats; [2, 2] from offset 1 reaches element 4
        { "reaches element 4 of storage '0'", Dict(new PickleBuilder().Tensor("0", 4, 1, [2, 2], [2, 1])), 16 },
        { "starts at element -1", Dict(new PickleBuilder().Tensor("0", 4, -1, [2], [1])), 16 },
        { "has size -2", Dict(new PickleBuilder().Tensor("0", 4, 0, [-2], [1])), 16 },
        { "too large to address", Dict(new PickleBuilder().Tensor("0", 4, 0, [2, 2], [long.MaxValue, 1])), 16 },
        { "at most 6 are supported", Dict(new PickleBuilder().Tensor("0", 4, 0, [1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1])), 16 },
        { "has 12 bytes but the pickle describes 4 elements", Dict(new PickleBuilder().Tensor("0", 4, 0, [4], [1])), 12 },
        { "data/0 is missing", Dict(new PickleBuilder().Tensor("0", 4, 0, [4], [1])), -1 },
        { "is not a torch storage type", Dict(new PickleBuilder().Tensor("0", 4, 0, [4], [1], storageType: "Size")), 16 },
    };

    private static byte[] Dict(PickleBuilder tensor) =>
        new PickleBuilder().Proto().OrderedDict().Mark().Str("w").Raw(tensor.ToArray()).SetItems().Stop();

    [Theory]
    [MemberData(nameof(ImpossibleTensors))]
    public void Tensors_outside_their_storage_are_refused(string expected, byte[] pickle, int storageBytes)
    {
        string path = WithPickle(pickle, storageBytes < 0 ? [] : new() { ["0"] = new byte[storageBytes] });
        try { Assert.Contains(expected, Refused(path).Message); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Truncated_and_damaged_files_are_one_sentence()
    {
        var whole = File.ReadAllBytes(IoFixtures.Pth("plain.pth"));
        string path = IoFixtures.TempFile(".pth");
        try
        {
            foreach (int length in new[] { 4, 30, whole.Length / 3, whole.Length / 2, whole.Length - 30, whole.Length - 1 })
            {
                File.WriteAllBytes(path, whole[..length]);
                Refused(path);
            }
            var damaged = (byte[])whole.Clone();
            new Random(3).NextBytes(damaged.AsSpan(4, damaged.Length - 200)); // keeps the zip magic, scrambles the rest
            File.WriteAllBytes(path, damaged);
            Refused(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_zip_bomb_is_refused_before_it_is_inflated()
    {
        const int floats = 20 << 20; // 80 MB of zeros, deflated to well under a megabyte
        var pickle = new PickleBuilder().Proto().OrderedDict().Mark().Str("w").Tensor("0", floats, 0, [floats], [1]).SetItems().Stop();
        string path = WithPickle(pickle, new() { ["0"] = new byte[4L * floats] }, CompressionLevel.SmallestSize);
        try
        {
            Assert.True(new FileInfo(path).Length < 1 << 20);
            Assert.Contains("zip bomb", Refused(path).Message);
            // Its shapes alone are cheap and harmless to read.
            Assert.Equal([floats], TorchCheckpoint.ReadShapes(path)["w"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("timm.pth.tar", "optimizer", "its entry 'optimizer' is a dictionary")]
    [InlineData("timm.pth.tar", "weights", "has no entry 'weights'; its entries are 'epoch', 'arch', 'state_dict'")]
    [InlineData("plain.pth", "model", "it is a state dict itself (9 tensors)")]
    public void A_weights_key_that_names_no_state_dict_is_refused(string file, string key, string expected) =>
        Assert.Contains(expected, Refused(IoFixtures.Pth(file), key).Message);

    [Fact]
    public void A_checkpoint_without_a_state_dict_says_what_it_holds()
    {
        var pickle = new PickleBuilder().Proto().Op((byte)'}').Mark().Str("epoch").Int(3).Str("net").OrderedDict().Mark()
            .Str("w").Tensor("0", 1, 0, [1], [1]).SetItems().SetItems().Stop();
        string path = WithPickle(pickle, new() { ["0"] = new byte[4] });
        try { Assert.Contains("holds state dicts under 'net'", Refused(path).Message); }
        finally { File.Delete(path); }
    }
}
