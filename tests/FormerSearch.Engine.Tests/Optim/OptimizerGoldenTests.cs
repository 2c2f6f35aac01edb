using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Optim;
using FormerSearch.Engine.Tests.Support;

namespace FormerSearch.Engine.Tests.Optim;

/// <summary>
/// SGD and AdamW against torch 1.13 (Golden/make_optim.py): five steps with given gradients on a
/// [5,7] weight, a [7] bias and a [3,4,2] tensor; parameters compared after every step within 1e-6 relative.
/// </summary>
public sealed class OptimizerGoldenTests
{
    private const int Steps = 5;
    private const double Tolerance = 1e-6;
    private static readonly string[] Names = ["w", "b", "k"];
    private static readonly Dictionary<string, Tensor> G = Golden.Load("optim");

    internal static Parameter[] InitialParameters() => [.. Names.Select(n => new Parameter(G["init." + n]))];

    internal static void SetGradients(Parameter[] ps, int step)
    {
        for (int i = 0; i < ps.Length; i++) ps[i].Value.EnsureGrad().CopyFrom(G[$"grad.{step}.{Names[i]}"]);
    }

    private static void RunAndCompare(string tag, Parameter[] ps, Optimizer opt, Action<int>? beforeStep = null)
    {
        for (int k = 0; k < Steps; k++)
        {
            beforeStep?.Invoke(k);
            SetGradients(ps, k);
            opt.Step();
            for (int i = 0; i < ps.Length; i++)
                TestTensors.AssertClose(G[$"{tag}.{k}.{Names[i]}"].ToArray(), ps[i].Value.ToArray(), Tolerance, $"{tag} step {k} {Names[i]}");
        }
    }

    [Fact]
    public void Sgd_with_momentum_and_weight_decay_matches_torch()
    {
        var ps = InitialParameters();
        RunAndCompare("sgd_momentum", ps, new Sgd(ps, lr: 0.1, momentum: 0.9, weightDecay: 1e-4));
    }

    [Fact]
    public void Sgd_nesterov_matches_torch()
    {
        var ps = InitialParameters();
        RunAndCompare("sgd_nesterov", ps, new Sgd(ps, lr: 0.1, momentum: 0.9, weightDecay: 1e-4, nesterov: true));
    }

    [Fact]
    public void Sgd_with_dampening_matches_torch()
    {
        var ps = InitialParameters();
        RunAndCompare("sgd_dampening", ps, new Sgd(ps, lr: 0.05, momentum: 0.9, dampening: 0.3));
    }

    [Fact]
    public void Sgd_without_momentum_matches_torch()
    {
        var ps = InitialParameters();
        RunAndCompare("sgd_plain", ps, new Sgd(ps, lr: 0.1, weightDecay: 0.01));
    }

    [Fact]
    public void AdamW_with_weight_decay_matches_torch()
    {
        var ps = InitialParameters();
        RunAndCompare("adamw", ps, new AdamW(ps, lr: 1e-2, weightDecay: 0.05));
    }

    [Fact]
    public void AdamW_defaults_match_torch()
    {
        var ps = InitialParameters();
        RunAndCompare("adamw_defaults", ps, new AdamW(ps));
    }

    [Fact]
    public void AdamW_groups_with_overrides_and_changing_learning_rates_match_torch()
    {
        var ps = InitialParameters();
        var groups = new[]
        {
            new ParamGroup([ps[0], ps[2]], weightDecay: 0.05),
            new ParamGroup([ps[1]], weightDecay: 0) { Betas = (0.8, 0.99), Eps = 1e-6 },
        };
        var opt = new AdamW(groups, lr: 1e-2, weightDecay: 0.05);
        // torch numbers state by group order: w, k, b — our Parameters() order is w, b, k, so compare by name.
        RunAndCompare("adamw_groups", ps, opt, k =>
        {
            opt.ParamGroups[0].LearningRate = 1e-2 * Math.Pow(0.5, k);
            opt.ParamGroups[1].LearningRate = 1e-2 * Math.Pow(0.5, k) * 2;
        });
    }
}
