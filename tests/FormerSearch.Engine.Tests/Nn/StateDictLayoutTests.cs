using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Tests.Nn;

/// <summary>State dicts in PyTorch layout, safetensors round trips and load errors.</summary>
public sealed class StateDictLayoutTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fs-nn-" + Guid.NewGuid().ToString("N"));

    public StateDictLayoutTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Build(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(
            new Conv2d(3, 8, 7, stride: 4, padding: 2, generator: g),
            new BatchNorm2d(8),
            new Gelu(),
            new Conv2d(8, 8, 3, padding: 1, groups: 8, generator: g),
            new GroupNorm(1, 8),
            new Conv1x1(8, 6, generator: g),
            new LayerNorm(6),
            new StarRelu(0.8f, -0.1f),
            new Linear(6, 5, g));
    }

    [Fact]
    public void PyTorch_layout_state_dict_has_torch_shapes_and_is_a_copy()
    {
        var net = Build(1);
        var sd = net.StateDict(pytorchLayout: true);
        Assert.Equal([8, 3, 7, 7], sd["0.weight"].Shape.ToArray());
        Assert.Equal([8, 1, 3, 3], sd["3.weight"].Shape.ToArray());
        Assert.Equal([6, 8, 1, 1], sd["5.weight"].Shape.ToArray());
        Assert.Equal([5, 6], sd["8.weight"].Shape.ToArray());
        Assert.Equal([1], sd["7.scale"].Shape.ToArray());
        Assert.Empty(sd["1.num_batches_tracked"].Shape.ToArray());
        // OIHW[o, i, h, w] = OHWI[o, h, w, i].
        var ours = ((Conv2d)net[0]).Weight.Value;
        Assert.Equal(ours[5, 2, 6, 1], sd["0.weight"][5, 1, 2, 6]);
        Assert.False(sd["0.weight"].RequiresGrad);
        sd["8.weight"][0, 0] = 123f;
        Assert.NotEqual(123f, ((Linear)net[8]).Weight.Value[0, 0]);
        // The plain overload still returns our tensors themselves.
        Assert.Same(ours, net.StateDict(pytorchLayout: false)["0.weight"]);
        Assert.Equal(net.StateDict().Keys, sd.Keys);
    }

    [Fact]
    public void Safetensors_round_trip_restores_every_tensor_bitwise()
    {
        var net = Build(2);
        // Move the BatchNorm statistics off their defaults.
        net.Forward(TestInput(3));
        net.Forward(TestInput(4));
        string path = Path.Combine(_dir, "net.safetensors");
        net.SaveSafeTensors(path);

        var raw = SafeTensors.Load(path);
        Assert.Equal([8, 3, 7, 7], raw["0.weight"].Shape.ToArray());
        Assert.Equal([6, 8, 1, 1], raw["5.weight"].Shape.ToArray());
        Assert.Equal(2f, raw["1.num_batches_tracked"].Item());
        Assert.Equal("pt", SafeTensors.LoadMetadata(path)["format"]);

        var copy = Build(99);
        var (missing, unexpected) = copy.LoadSafeTensors(path);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        var a = net.StateDict();
        var b = copy.StateDict();
        foreach (var (key, t) in a) Assert.Equal(t.ToArray(), b[key].ToArray());

        net.Eval();
        copy.Eval();
        Assert.Equal(net.Forward(TestInput(5)).ToArray(), copy.Forward(TestInput(5)).ToArray());
    }

    [Fact]
    public void Our_layout_round_trip_still_works()
    {
        var net = Build(3);
        var copy = Build(4);
        copy.LoadStateDict(net.StateDict());
        Assert.Equal(((Conv2d)net[0]).Weight.Value.ToArray(), ((Conv2d)copy[0]).Weight.Value.ToArray());
        copy.LoadStateDict(Build(5).StateDict(pytorchLayout: true), strict: true, pytorchLayout: true);
        Assert.Equal(((Conv2d)Build(5)[0]).Weight.Value.ToArray(), ((Conv2d)copy[0]).Weight.Value.ToArray());
    }

    [Fact]
    public void Wrong_shape_is_named_in_pytorch_layout_and_leaves_the_module_unchanged()
    {
        var conv = new Conv2d(4, 8, 5, generator: new Generator(1));
        var before = conv.Weight.Value.ToArray();
        var sd = new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(8, 4, 3, 3), ["bias"] = Tensor.Zeros(8) };
        var e = Assert.Throws<ArgumentException>(() => conv.LoadStateDict(sd, strict: true, pytorchLayout: true));
        Assert.Contains("'weight'", e.Message);
        Assert.Contains("[8, 4, 3, 3]", e.Message);
        Assert.Contains("[8, 4, 5, 5]", e.Message);
        Assert.Equal(before, conv.Weight.Value.ToArray());

        // Our-layout tensors are not accepted as PyTorch ones, nor the reverse.
        var ours = new Conv2d(4, 8, 5).StateDict();
        Assert.Throws<ArgumentException>(() => conv.LoadStateDict(ours, strict: true, pytorchLayout: true));
        var theirs = new Conv2d(4, 8, 5).StateDict(pytorchLayout: true);
        Assert.Throws<ArgumentException>(() => conv.LoadStateDict(theirs));

        var c1 = new Conv1x1(8, 6);
        var e1 = Assert.Throws<ArgumentException>(() => c1.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(6, 8), ["bias"] = Tensor.Zeros(6) }, true, pytorchLayout: true));
        Assert.Contains("[6, 8, 1, 1]", e1.Message);
    }

    [Fact]
    public void Missing_and_unexpected_keys_are_listed()
    {
        var net = Build(6);
        var sd = net.StateDict(pytorchLayout: true);
        sd.Remove("0.bias");
        sd.Remove("5.weight");
        sd["9.weight"] = Tensor.Zeros(3);
        var e = Assert.Throws<ArgumentException>(() => Build(7).LoadStateDict(sd, strict: true, pytorchLayout: true));
        Assert.Contains("missing key(s): '0.bias', '5.weight'", e.Message);
        Assert.Contains("unexpected key(s): '9.weight'", e.Message);

        var (missing, unexpected) = Build(7).LoadStateDict(sd, strict: false, pytorchLayout: true);
        Assert.Equal(["0.bias", "5.weight"], missing);
        Assert.Equal(["9.weight"], unexpected);
    }

    [Fact]
    public void Missing_num_batches_tracked_loads_as_zero_as_in_pytorch()
    {
        var bn = new BatchNorm2d(4);
        bn.Forward(TestInput(1, 4));
        var sd = new BatchNorm2d(4).StateDict(pytorchLayout: true);
        sd.Remove("num_batches_tracked");
        var (missing, _) = bn.LoadStateDict(sd, strict: true, pytorchLayout: true);
        Assert.Empty(missing);
        Assert.Equal(0f, bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void Truncated_or_corrupt_files_name_the_file()
    {
        var net = Build(8);
        string path = Path.Combine(_dir, "cut.safetensors");
        net.SaveSafeTensors(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<UserInputException>(() => Build(8).LoadSafeTensors(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);

        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains(path, Assert.Throws<UserInputException>(() => Build(8).LoadSafeTensors(path)).Message);

        string absent = Path.Combine(_dir, "absent.safetensors");
        Assert.Contains(absent, Assert.Throws<UserInputException>(() => Build(8).LoadSafeTensors(absent)).Message);
    }

    [Fact]
    public void A_mismatched_file_names_the_file_and_the_keys()
    {
        string path = Path.Combine(_dir, "other.safetensors");
        new Conv2d(3, 8, 3).SaveSafeTensors(path);
        var e = Assert.Throws<UserInputException>(() => new Conv2d(3, 8, 5).LoadSafeTensors(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'weight'", e.Message);
        Assert.Contains("[8, 3, 3, 3]", e.Message);

        var (missing, unexpected) = new Sequential(new Conv2d(3, 8, 3)).LoadSafeTensors(path, strict: false);
        Assert.Equal(["0.weight", "0.bias"], missing);
        Assert.Equal(["bias", "weight"], unexpected.Order());
    }

    [Fact]
    public void A_file_of_another_model_is_refused_in_one_short_sentence()
    {
        // 20,000 names the module does not have, none of those it has: the message counts them and shows the first few.
        string path = Path.Combine(_dir, "other-model.safetensors");
        var other = new Dictionary<string, Tensor>();
        for (int i = 0; i < 20_000; i++) other[$"encoder.layer{i}.weight"] = Tensor.Zeros(1);
        SafeTensors.Save(path, other);
        var e = Assert.Throws<UserInputException>(() => Build(9).LoadSafeTensors(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("20,000 unexpected keys, first: 'encoder.layer0.weight'", e.Message);
        Assert.Contains("missing keys, first: '0.weight'", e.Message);
        Assert.True(e.Message.Length <= StateDictProblems.MaxLength, $"{e.Message.Length} characters: {e.Message}");
        Assert.Single(e.Message.Split(". "));

        // The same from a dictionary built in code is a bug in that code, not bad input, and is summarised alike.
        var inCode = Assert.Throws<ArgumentException>(() => Build(9).LoadStateDict(other));
        Assert.Contains("20,000 unexpected keys", inCode.Message);
    }

    private static Tensor TestInput(int seed, int channels = 3) => Support.TestTensors.Uniform(seed, 2, 13, 11, channels);
}
