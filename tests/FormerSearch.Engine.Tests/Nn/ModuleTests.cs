using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Tests.Nn;

public sealed class ModuleTests
{
    private sealed class Block : Module
    {
        public Block(int dim, Generator g)
        {
            Norm1 = RegisterParameter("norm1_weight", new Parameter(dim));
            Fc = RegisterModule("fc", new Linear(dim, dim, g));
            Running = RegisterBuffer("running_mean", Tensor.FromArray(new float[dim], dim));
        }
        public Parameter Norm1 { get; }
        public Linear Fc { get; }
        public Tensor Running { get; }
    }

    private sealed class Net : Module
    {
        public Net(Generator g)
        {
            ClsToken = RegisterParameter("cls_token", new Parameter(1, 1, 4));
            Blocks = RegisterModule("blocks", new ModuleList<Block>([new Block(4, g), new Block(4, g)]));
            Head = RegisterModule("head", new Linear(4, 3, g, bias: false));
        }
        public Parameter ClsToken { get; }
        public ModuleList<Block> Blocks { get; }
        public Linear Head { get; }
    }

    [Fact]
    public void Names_are_dotted_in_pytorch_order()
    {
        var net = new Net(new Generator(1));
        string[] expected =
        [
            "cls_token",
            "blocks.0.norm1_weight", "blocks.0.fc.weight", "blocks.0.fc.bias",
            "blocks.1.norm1_weight", "blocks.1.fc.weight", "blocks.1.fc.bias",
            "head.weight",
        ];
        Assert.Equal(expected, net.NamedParameters().Select(p => p.Name));
        Assert.Equal(["blocks.0.running_mean", "blocks.1.running_mean"], net.NamedBuffers().Select(b => b.Name));
        Assert.Equal(
            ["cls_token", "blocks.0.norm1_weight", "blocks.0.running_mean", "blocks.0.fc.weight", "blocks.0.fc.bias",
             "blocks.1.norm1_weight", "blocks.1.running_mean", "blocks.1.fc.weight", "blocks.1.fc.bias", "head.weight"],
            net.StateDict().Keys);
        Assert.Equal(4 + 2 * (4 + 16 + 4) + 12, net.ParameterCount());
        Assert.Same(net.Blocks[1].Fc.Weight, net.Parameters().ElementAt(5));
    }

    [Fact]
    public void Train_and_eval_are_recursive()
    {
        var net = new Net(new Generator(1));
        Assert.True(net.Blocks[1].Fc.Training);
        net.Eval();
        Assert.False(net.Training);
        Assert.False(net.Blocks[1].Fc.Training);
        net.Train();
        Assert.True(net.Blocks[0].Training);
    }

    [Fact]
    public void Duplicate_and_dotted_names_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BadModule("w", "w"));
        Assert.Throws<ArgumentException>(() => new BadModule("a.b", "c"));
        Assert.Throws<ArgumentException>(() => new BadModule("", "c"));
    }

    private sealed class BadModule : Module
    {
        public BadModule(string a, string b)
        {
            RegisterParameter(a, new Parameter(1));
            RegisterBuffer(b, Tensor.FromArray([0f], 1));
        }
    }

    [Fact]
    public void State_dict_round_trips_through_safetensors()
    {
        var source = new Net(new Generator(1));
        source.Blocks[0].Running.AsSpan().Fill(0.25f);
        string path = Path.Combine(Path.GetTempPath(), $"fs-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, source.StateDict());
            var target = new Net(new Generator(2));
            Assert.NotEqual(source.Head.Weight.Value.ToArray(), target.Head.Weight.Value.ToArray());
            var (missing, unexpected) = target.LoadStateDict(SafeTensors.Load(path));
            Assert.Empty(missing);
            Assert.Empty(unexpected);
            foreach (var (name, t) in source.StateDict()) Assert.Equal(t.ToArray(), target.StateDict()[name].ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Load_state_dict_names_missing_unexpected_and_mis_shaped_keys_and_changes_nothing_on_failure()
    {
        var net = new Net(new Generator(1));
        var before = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        var dict = new Net(new Generator(2)).StateDict();
        dict.Remove("head.weight");
        dict["extra.thing"] = Tensor.Zeros(2);
        var e = Assert.Throws<ArgumentException>(() => net.LoadStateDict(dict));
        Assert.Contains("'head.weight'", e.Message);
        Assert.Contains("'extra.thing'", e.Message);
        foreach (var (name, t) in net.StateDict()) Assert.Equal(before[name], t.ToArray());

        var (missing, unexpected) = net.LoadStateDict(dict, strict: false);
        Assert.Equal(["head.weight"], missing);
        Assert.Equal(["extra.thing"], unexpected);
        Assert.Equal(dict["blocks.1.fc.bias"].ToArray(), net.Blocks[1].Fc.Bias!.Value.ToArray());
        Assert.Equal(before["head.weight"], net.Head.Weight.Value.ToArray());

        var wrong = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        wrong["blocks.0.fc.weight"] = Tensor.Zeros(4, 5);
        var e2 = Assert.Throws<ArgumentException>(() => net.LoadStateDict(wrong, strict: false));
        Assert.Contains("blocks.0.fc.weight", e2.Message);
        Assert.Contains("[4, 5]", e2.Message);
    }

    [Fact]
    public void Zero_grad_clears_gradients_of_all_descendants()
    {
        var net = new Net(new Generator(1));
        var x = Tensor.Ones(2, 4);
        using (TensorScope.Enter())
        {
            var y = net.Head.Forward(net.Blocks[1].Fc.Forward(x));
            y.Backward(Tensor.Ones(2, 3));
        }
        Assert.Contains(net.Blocks[1].Fc.Weight.Grad!.ToArray(), v => v != 0);
        net.ZeroGrad();
        foreach (var p in net.Parameters())
            if (p.Grad is { } g) Assert.All(g.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_parameter_made_inside_a_scope_outlives_it()
    {
        Parameter p;
        using (TensorScope.Enter())
        {
            var init = Tensor.Full(3f, 2, 2);
            p = new Parameter(init);
        }
        Assert.Equal([3f, 3f, 3f, 3f], p.Value.ToArray());
        Assert.True(p.Value.RequiresGrad);
        Assert.False(p.NoWeightDecay);
        Assert.True(new Parameter(5).NoWeightDecay);
    }

    [Fact]
    public void Linear_computes_x_wt_plus_b_and_initialises_as_pytorch()
    {
        var lin = new Linear(50, 40, new Generator(3));
        double bound = 1 / Math.Sqrt(50);
        Assert.All(lin.Weight.Value.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(lin.Bias!.Value.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.True(lin.Bias.NoWeightDecay);
        Assert.False(lin.Weight.NoWeightDecay);
        var x = Tensor.FromArray(Enumerable.Range(0, 100).Select(i => i / 100f).ToArray(), 2, 50);
        var y = lin.Forward(x).ToArray();
        var w = lin.Weight.Value;
        for (int r = 0; r < 2; r++)
            for (int o = 0; o < 40; o++)
            {
                double s = lin.Bias.Value[o];
                for (int i = 0; i < 50; i++) s += x[r, i] * w[o, i];
                Assert.Equal(s, y[r * 40 + o], 4);
            }
    }
}
