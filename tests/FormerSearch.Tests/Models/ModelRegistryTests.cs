using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;

namespace FormerSearch.Tests.Models;

/// <summary>Tests that loop over the whole registry, so a model is covered the moment it is registered.</summary>
public sealed class ModelRegistryTests
{
    private static readonly ModelOptions Small = ModelOptions.For(new ModelInput(3, 64, 64), numClasses: 10);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var n in ModelRegistry.Names) data.Add(n);
        return data;
    }

    public static TheoryData<string> OfficialNames()
    {
        var data = new TheoryData<string>();
        foreach (var e in ModelRegistry.Entries.Where(e => e.IsOfficial)) data.Add(e.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Builds_at_a_small_input_and_runs_forward_and_backward(string name)
    {
        var model = ModelRegistry.Create(name, Small with { DropPathRate = 0.1f, Seed = 7 });
        Assert.Equal(10, model.NumClasses);
        Assert.Equal(new ModelInput(3, 64, 64), model.Input);
        using (TensorScope.Enter())
        {
            var images = Tensor.Empty(2, 64, 64, 3);
            new Generator(1).FillNormal(images.AsSpan());
            var logits = model.Forward(images);
            Assert.Equal([2, 10], logits.Shape.ToArray());
            foreach (float v in logits.ToArray()) Assert.True(float.IsFinite(v));
            Functional.Sum(logits).Backward();
        }
        foreach (var (param, p) in model.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name}: {param} got no gradient.");
            foreach (float g in p.Grad!.ToArray()) Assert.True(float.IsFinite(g), $"{name}: {param} has a non-finite gradient.");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ResetClassifier_swaps_the_head_in_place(string name)
    {
        var model = ModelRegistry.Create(name, Small);
        var keys = model.StateDict().Keys.ToList();
        long before = model.ParameterCount();
        model.ResetClassifier(7);
        Assert.Equal(7, model.NumClasses);
        Assert.Equal(keys, model.StateDict().Keys.ToList());          // same names, same order
        int features = model.StateDict()["head.weight"].Size(1);
        Assert.Equal(before - (10 - 7) * (features + 1), model.ParameterCount());   // 3 fewer rows of weight and bias
        using (TensorScope.Enter())
        {
            var logits = model.Forward(Tensor.Zeros(1, 64, 64, 3));
            Assert.Equal([1, 7], logits.Shape.ToArray());
        }
        Assert.Throws<UserInputException>(() => model.ResetClassifier(0));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Analytic_params_equal_the_parameter_tensors(string name)
    {
        foreach (var options in new[] { new ModelOptions(), Small })
        {
            var profile = ModelRegistry.Profile(name, options);
            var model = ModelRegistry.Create(name, options);
            Assert.Equal(model.ParameterCount(), profile.Params);
            long sum = 0, macs = 0;
            foreach (var row in profile.Layers)
            {
                sum += row.Params;
                macs += row.Macs;
            }
            Assert.Equal(profile.Params, sum);
            Assert.Equal(profile.Macs, macs);
        }
    }

    [Theory]
    [MemberData(nameof(OfficialNames))]
    public void Params_equal_the_official_implementation_and_macs_agree_within_one_percent(string name)
    {
        Assert.True(OfficialCounts.At224.TryGetValue(name, out var official), $"{name} has no official count on record.");
        var profile = ModelRegistry.Profile(name);
        Assert.Equal(official.Params, profile.Params);
        Assert.InRange(profile.Macs, official.Macs * 0.99, official.Macs * 1.01);
        Assert.Equal(ModelInput.ImageNet, ModelRegistry.Get(name).DefaultInput);
    }

    [Fact]
    public void Every_official_count_on_record_is_registered()
    {
        foreach (var name in OfficialCounts.At224.Keys) Assert.True(ModelRegistry.Contains(name), name);
    }

    [Fact]
    public void An_unknown_name_lists_the_known_models()
    {
        var e = Assert.Throws<UserInputException>(() => ModelRegistry.Get("poolformer_xl"));
        Assert.Contains("poolformer_xl", e.Message);
        Assert.Contains("poolformer_s12", e.Message);
        Assert.Contains("deit_base", e.Message);
    }

    [Fact]
    public void Names_are_case_insensitive()
    {
        Assert.Equal("poolformer_s12", ModelRegistry.Get("PoolFormer_S12").Name);
    }

    [Theory]
    [InlineData("deit_tiny", 3, 225, 224)]
    [InlineData("deit_small", 3, 224, 100)]
    [InlineData("poolformer_s12", 0, 224, 224)]
    [InlineData("poolformer_s12", 3, 1, 1)]
    public void Impossible_inputs_are_rejected_with_one_sentence(string name, int c, int h, int w)
    {
        var options = ModelOptions.For(new ModelInput(c, h, w));
        var e = Assert.Throws<UserInputException>(() => ModelRegistry.Profile(name, options));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<UserInputException>(() => ModelRegistry.Create(name, options));
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        var a = ModelRegistry.Create("metaformer_ppaa_s12", Small with { Seed = 3 });
        var b = ModelRegistry.Create("metaformer_ppaa_s12", Small with { Seed = 3 });
        var pb = b.StateDict();
        foreach (var (k, v) in a.StateDict()) Assert.Equal(v.ToArray(), pb[k].ToArray());
    }

    [Fact]
    public void Wrong_image_shapes_are_rejected()
    {
        var model = ModelRegistry.Create("poolformer_s12", Small);
        using (TensorScope.Enter())
        {
            Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 3, 64, 64)));
            Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 32, 32, 3)));
        }
    }
}
