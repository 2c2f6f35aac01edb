using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Optim;
using FormerSearch.Engine.Threading;

namespace FormerSearch.Engine.Tests.Optim;

public sealed class OptimizerTests
{
    private static Parameter[] RandomParameters(int seed, params int[][] shapes)
    {
        var rng = new Generator((ulong)seed);
        var ps = new Parameter[shapes.Length];
        for (int i = 0; i < shapes.Length; i++)
        {
            ps[i] = new Parameter(shapes[i]);
            rng.FillNormal(ps[i].Value.AsSpan());
        }
        return ps;
    }

    private static void RandomGradients(Parameter[] ps, int seed)
    {
        var rng = new Generator((ulong)seed);
        foreach (var p in ps) rng.FillNormal(p.Value.EnsureGrad().AsSpan());
    }

    private static Optimizer[] Makers(Parameter[] ps, int which) => which switch
    {
        0 => [new AdamW(ps, lr: 1e-2, weightDecay: 0.05)],
        _ => [new Sgd(ps, lr: 0.1, momentum: 0.9, weightDecay: 1e-4, nesterov: true)],
    };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void State_dict_round_trip_resumes_bit_exactly(int which)
    {
        int[][] shapes = [[6, 5], [5], [2, 3, 4]];
        var a = RandomParameters(1, shapes);
        var b = RandomParameters(1, shapes);
        var optA = Makers(a, which)[0];
        var optB = Makers(b, which)[0];
        for (int s = 0; s < 2; s++)
        {
            RandomGradients(a, 10 + s); optA.Step();
            RandomGradients(b, 10 + s); optB.Step();
        }
        var state = optB.StateDict();
        Assert.Contains(which == 0 ? "state.1.exp_avg_sq" : "state.2.momentum_buffer", state.Keys);
        if (which == 0) Assert.Equal(2f, state["state.0.step"].Item());
        // Resume in a fresh optimiser over copies of b's parameters.
        var c = b.Select(p => new Parameter(p.Value)).ToArray();
        var optC = Makers(c, which)[0];
        optC.LoadStateDict(state);
        for (int s = 2; s < 5; s++)
        {
            RandomGradients(a, 10 + s); optA.Step();
            RandomGradients(c, 10 + s); optC.Step();
        }
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i].Value.ToArray(), c[i].Value.ToArray());
    }

    [Fact]
    public void Load_state_dict_rejects_unknown_keys_and_wrong_shapes_without_changing_state()
    {
        var ps = RandomParameters(2, [3, 4], [4]);
        var opt = new AdamW(ps);
        RandomGradients(ps, 3);
        opt.Step();
        var before = opt.StateDict();
        var e1 = Assert.Throws<ArgumentException>(() => opt.LoadStateDict(new Dictionary<string, Tensor> { ["state.0.exp_avg"] = Tensor.Zeros(4, 3) }));
        Assert.Contains("state.0.exp_avg", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => opt.LoadStateDict(new Dictionary<string, Tensor> { ["state.7.exp_avg"] = Tensor.Zeros(3, 4) }));
        Assert.Contains("state.7.exp_avg", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => opt.LoadStateDict(new Dictionary<string, Tensor> { ["state.0.momentum_buffer"] = Tensor.Zeros(3, 4) }));
        Assert.Contains("momentum_buffer", e3.Message);
        Assert.Throws<ArgumentException>(() => opt.LoadStateDict(new Dictionary<string, Tensor> { ["state.0.step"] = Tensor.Scalar(1.5f) }));
        var after = opt.StateDict();
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (k, t) in before) Assert.Equal(t.ToArray(), after[k].ToArray());
    }

    [Fact]
    public void Parameters_without_gradient_are_skipped()
    {
        var ps = RandomParameters(3, [4, 4], [4]);
        var saved = ps[1].Value.ToArray();
        ps[0].Value.EnsureGrad().AsSpan().Fill(1f);
        var opt = new AdamW(ps);
        opt.Step();
        Assert.Equal(saved, ps[1].Value.ToArray());
        var state = opt.StateDict();
        Assert.Contains("state.0.exp_avg", state.Keys);
        Assert.DoesNotContain("state.1.exp_avg", state.Keys);
        Assert.DoesNotContain("state.1.step", state.Keys);
    }

    [Fact]
    public void Set_learning_rate_applies_each_groups_scale_and_initial_rate_is_kept()
    {
        var ps = RandomParameters(4, [2, 2], [2]);
        var opt = new Sgd([new ParamGroup([ps[0]]), new ParamGroup([ps[1]], learningRate: 0.5, lrScale: 0.25)], lr: 0.1);
        Assert.Equal(0.1, opt.ParamGroups[0].LearningRate);
        Assert.Equal(0.5, opt.ParamGroups[1].InitialLearningRate);
        opt.SetLearningRate(0.2);
        Assert.Equal(0.2, opt.ParamGroups[0].LearningRate);
        Assert.Equal(0.05, opt.ParamGroups[1].LearningRate, 15);
    }

    [Fact]
    public void Bad_settings_are_rejected()
    {
        var ps = RandomParameters(5, [2]);
        Assert.Throws<ArgumentException>(() => new Sgd(ps, lr: -1));
        Assert.Throws<ArgumentException>(() => new Sgd(ps, lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd(ps, lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new AdamW(ps, betas: (1.0, 0.999)));
        Assert.Throws<ArgumentException>(() => new AdamW([new ParamGroup(ps), new ParamGroup(ps)]));
        Assert.Throws<ArgumentException>(() => new AdamW(Array.Empty<ParamGroup>()));
    }

    [Fact]
    public void Zero_grad_clears_every_gradient()
    {
        var ps = RandomParameters(6, [3], [2, 2]);
        RandomGradients(ps, 7);
        new AdamW(ps).ZeroGrad();
        foreach (var p in ps) Assert.All(p.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void No_decay_groups_follow_timm()
    {
        var named = new (string, Parameter)[]
        {
            ("patch_embed.proj.weight", new Parameter(8, 3, 3, 3)),
            ("patch_embed.proj.bias", new Parameter(8)),
            ("pos_embed", new Parameter(1, 5, 8)),
            ("cls_token", new Parameter(1, 1, 8)),
            ("blocks.0.norm1.weight", new Parameter(8)),
            ("blocks.0.ls1.gamma", new Parameter(1, 8) { NoWeightDecay = true }),
            ("blocks.0.mlp.fc1.weight", new Parameter(16, 8)),
            ("head.weight", new Parameter(10, 8)),
        };
        var groups = ParamGroups.WithNoDecay(named, 0.05, ["pos_embed", "cls_token"]);
        Assert.Equal(0.0, groups[0].WeightDecay);
        Assert.Equal(0.05, groups[1].WeightDecay);
        Assert.Equal([named[0].Item2, named[6].Item2, named[7].Item2], groups[1].Parameters);
        Assert.Equal(5, groups[0].Parameters.Count);
        var opt = new AdamW(groups, weightDecay: 0.3);
        Assert.Equal(0.0, opt.ParamGroups[0].WeightDecay);
        Assert.Equal(0.05, opt.ParamGroups[1].WeightDecay);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_warm_step_allocates_nothing(int which)
    {
        var ps = RandomParameters(8, [64, 33], [33]);
        RandomGradients(ps, 9);
        var opt = Makers(ps, which)[0];
        int threads = ParallelRunner.Threads;
        try
        {
            ParallelRunner.Threads = 1;
            opt.Step();
            opt.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) opt.Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally { ParallelRunner.Threads = threads; }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void One_and_two_threads_give_identical_results(int which)
    {
        int threads = ParallelRunner.Threads;
        try
        {
            float[][] results = new float[2][];
            for (int t = 1; t <= 2; t++)
            {
                ParallelRunner.Threads = t;
                var ps = RandomParameters(11, [300_001]);
                var opt = Makers(ps, which)[0];
                for (int s = 0; s < 3; s++)
                {
                    RandomGradients(ps, 20 + s);
                    opt.Step();
                }
                results[t - 1] = ps[0].Value.ToArray();
            }
            Assert.Equal(results[0], results[1]);
        }
        finally { ParallelRunner.Threads = threads; }
    }
}
