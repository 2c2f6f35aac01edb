using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Engine.Tests.IO;

/// <summary>
/// PyTorch checkpoints written by torch.save (<c>Golden/make_pth.py</c>) read into the same float32 bits torch holds, in every
/// layout a user meets: plain, nested under model / state_dict / state_dict_ema / model_ema, DataParallel's module. prefix,
/// float16 / bfloat16 / float64 storages, protocol 4, and views sharing a storage with offsets and strides.
/// </summary>
public sealed class TorchCheckpointTests
{
    private static readonly string[] Names =
        ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "fc.weight", "fc.bias"];

    private static readonly Dictionary<string, Tensor> Expected = SafeTensors.Load(IoFixtures.Pth("expected.safetensors"));

    private static void AssertSameBits(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{name}: shape {Tensor.FormatShape(actual.Shape)}, expected {Tensor.FormatShape(expected.Shape)}");
        float[] e = expected.ToArray(), a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(a[i]), $"{name}[{i}]: {a[i]}, expected {e[i]}");
    }

    [Theory]
    [InlineData("plain.pth", null, "", null)]
    [InlineData("module.pth", null, "", "removing the DataParallel prefix 'module.'")]
    [InlineData("model.pth", null, "", "taking the state dict under 'model'")]
    [InlineData("timm.pth.tar", null, "", "taking the state dict under 'state_dict' (also there: 'state_dict_ema'")]
    [InlineData("timm.pth.tar", "state_dict_ema", "ema.", "taking the state dict under 'state_dict_ema'")]
    [InlineData("ema.pth", null, "ema.", "taking the state dict under 'model_ema'")]
    [InlineData("f16.pth", null, "f16.", null)]
    [InlineData("bf16.pth", null, "bf16.", null)]
    [InlineData("f64.pth", null, "f64.", null)]
    [InlineData("protocol4.pth", null, "", null)]
    public void Every_layout_reads_the_bits_torch_saved_in_file_order(string file, string? key, string expectedPrefix, string? note)
    {
        var notes = new List<string>();
        var loaded = TorchCheckpoint.Load(IoFixtures.Pth(file), key, notes.Add);
        Assert.Equal(Names, loaded.Keys);
        foreach (var name in Names) AssertSameBits(Expected[expectedPrefix + name], loaded[name], $"{file}: {name}");
        Assert.Equal(1f, loaded["bn.num_batches_tracked"].Item());
        if (note is null) Assert.Empty(notes);
        else Assert.Contains(notes, n => n.Contains(note, StringComparison.Ordinal) && n.Contains(file, StringComparison.Ordinal));
        // The header-only path agrees on names and shapes.
        var shapes = TorchCheckpoint.ReadShapes(IoFixtures.Pth(file), key);
        Assert.Equal(Names, shapes.Keys);
        foreach (var name in Names) Assert.Equal(loaded[name].Shape.ToArray(), shapes[name]);
    }

    [Fact]
    public void Views_of_shared_storages_are_copied_out_with_their_offsets_and_strides()
    {
        var loaded = TorchCheckpoint.Load(IoFixtures.Pth("shared.pth"), notice: _ => { });
        string[] names = ["offset", "transposed", "stepped", "whole", "again", "last", "scalar", "empty", "broadcast"];
        Assert.Equal(names, loaded.Keys);
        foreach (var name in names) AssertSameBits(Expected["shared." + name], loaded[name], name);
        Assert.Equal([10, 6], loaded["transposed"].Shape.ToArray());
        Assert.Empty(loaded["scalar"].Shape.ToArray());
        Assert.Equal(1f, loaded["scalar"].Item());                       // base[7] = 7 / 7
        Assert.Equal([3, 2], loaded["broadcast"].Shape.ToArray());
        Assert.Equal([1.5f, -2.25f, 1.5f, -2.25f, 1.5f, -2.25f], loaded["broadcast"].ToArray());
    }

    [Fact]
    public void More_names_than_one_pickle_batch_keep_their_order()
    {
        var loaded = TorchCheckpoint.Load(IoFixtures.Pth("many.pth"));
        Assert.Equal(Enumerable.Range(0, 1200).Select(i => $"p{i}"), loaded.Keys);
        int k = 0;
        foreach (var t in loaded.Values) Assert.Equal(k++, t.Item());
    }

    [Fact]
    public void The_dispatcher_tells_formats_by_content_not_by_name()
    {
        string renamed = IoFixtures.TempFile(".safetensors");
        string safetensors = IoFixtures.TempFile(".pth");
        try
        {
            File.Copy(IoFixtures.Pth("plain.pth"), renamed);
            SafeTensors.Save(safetensors, [new("w", Tensor.FromArray([1f, 2f], 2))]);
            Assert.Equal(CheckpointFormat.PyTorchZip, StateDictFile.Detect(renamed));
            Assert.Equal(CheckpointFormat.SafeTensors, StateDictFile.Detect(safetensors));
            Assert.Equal(CheckpointFormat.PyTorchLegacy, StateDictFile.Detect(IoFixtures.Pth("legacy.pt")));
            Assert.Equal(Names, StateDictFile.Load(renamed).Keys);
            Assert.Equal([1f, 2f], StateDictFile.Load(safetensors)["w"].ToArray());
            Assert.Equal([2], StateDictFile.ReadShapes(safetensors)["w"]);
            var e = Assert.Throws<UserInputException>(() => StateDictFile.Load(safetensors, "model"));
            Assert.Contains("--weights-key 'model'", e.Message);
        }
        finally
        {
            File.Delete(renamed);
            File.Delete(safetensors);
        }
    }

    [Fact]
    public void A_written_checkpoint_round_trips_and_nests()
    {
        string path = IoFixtures.TempFile(".pth");
        try
        {
            var w = Tensor.Zeros(3, 2, 2, 2);
            new Generator(4).FillNormal(w.AsSpan());
            TorchCheckpointWriter.Save(path, [new("a.weight", w), new("a.bias", Tensor.FromArray([0.5f], 1))], nestUnder: "model_ema");
            var notes = new List<string>();
            var back = StateDictFile.Load(path, notice: notes.Add);
            Assert.Equal(["a.weight", "a.bias"], back.Keys);
            AssertSameBits(w, back["a.weight"], "a.weight");
            Assert.Single(notes);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
