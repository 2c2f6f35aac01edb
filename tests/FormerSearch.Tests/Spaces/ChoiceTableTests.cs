using FormerSearch.Engine;
using FormerSearch.Models.Blocks;
using FormerSearch.Spaces;

namespace FormerSearch.Tests.Spaces;

/// <summary>The shared space core: one validation style for every space, typed choice values, and draws that fail loudly.</summary>
public sealed class ChoiceTableTests
{
    // A two-layer toy table: layer 1's width is active only at depth 2, and widths may not shrink.
    private static readonly ChoiceKey<int> Depth = ChoiceKey.Integer("depth");
    private static readonly ChoiceKey<float> Width0 = ChoiceKey.Number("layer0.width");
    private static readonly ChoiceKey<float> Width1 = ChoiceKey.Number("layer1.width");

    private static ChoiceTable Table() => new("toy", "p",
        [
            (Depth.Define([1, 2], ChoiceKind.Size, "size"), null),
            (Width0.Define([0.5f, 1f, 2f], ChoiceKind.Size, "size"), null),
            (Width1.Define([0.5f, 1f, 2f], ChoiceKind.Size, "size"), v => v.Get(Depth) > 1),
        ],
        [new ArchitectureRule("Layer 1 is narrower than layer 0.", v => !v.TryGet(Width1, out float w1) || w1 >= v.Get(Width0))]);

    private static Architecture Arch(params (string Name, string Value)[] entries) =>
        new("toy", "p", entries.Select(e => new KeyValuePair<string, string>(e.Name, e.Value)));

    [Fact]
    public void Canonical_form_orders_drops_inactive_choices_and_writes_numbers_once()
    {
        var a = Table().Validate(Arch(("layer1.width", "2.0"), ("layer0.width", "1.00"), ("depth", "2")));
        Assert.Equal("toy/p:depth=2;layer0.width=1;layer1.width=2", a.Key);
        Assert.Equal(2f, a.Get(Width1));
        Assert.Equal(2, a.Get(Depth));
        // At depth 1 layer 1 is inactive: its (allowed) value is dropped.
        Assert.Equal("toy/p:depth=1;layer0.width=0.5", Table().Validate(Arch(("depth", "1"), ("layer0.width", "0.5"), ("layer1.width", "1"))).Key);
    }

    [Theory]
    [InlineData("other", "p", "depth", "2", "space other preset p, not toy preset p")]
    [InlineData("toy", "q", "depth", "2", "preset q, not toy preset p")]
    [InlineData("toy", "p", "depth", "3", "Choice 'depth' = '3' is not allowed in the toy space (preset p); it allows 1, 2.")]
    [InlineData("toy", "p", "layer2.width", "1", "has no choice 'layer2.width'")]
    [InlineData("toy", "p", "layer1.width", "0.5", "Layer 1 is narrower than layer 0.")]
    public void Every_input_error_is_one_UserInputException_naming_the_choice(string space, string preset, string name, string value, string expected)
    {
        var entries = new Dictionary<string, string> { ["depth"] = "2", ["layer0.width"] = "1", ["layer1.width"] = "1", [name] = value };
        var e = Assert.Throws<UserInputException>(() => Table().Validate(new Architecture(space, preset, entries)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_missing_active_choice_is_named()
    {
        var e = Assert.Throws<UserInputException>(() => Table().Validate(Arch(("depth", "2"), ("layer0.width", "1"))));
        Assert.Equal("The architecture lacks choice 'layer1.width' of the toy space (preset p).", e.Message);
    }

    [Fact]
    public void Long_value_lists_are_summarised()
    {
        var many = ChoiceKey.Integer("k");
        var table = new ChoiceTable("toy", "p", [(many.Define(Enumerable.Range(1, 40), ChoiceKind.Size, "size"), null)]);
        var e = Assert.Throws<UserInputException>(() => table.Validate(Arch(("k", "99"))));
        Assert.Contains("1, 2, 3, 4, 5, 6, 7, 8, … (40 values)", e.Message);
        Assert.True(e.Message.Length < 300, e.Message);
    }

    [Fact]
    public void Every_space_now_reads_numbers_numerically_and_says_what_it_allows()
    {
        var glit = new GlitSpace("mini");
        var largest = glit.Largest();
        Assert.Equal(largest, glit.Validate(largest.With("block0.ffn_ratio", "6.0")));
        var e = Assert.Throws<UserInputException>(() => glit.Validate(largest.With("block0.ffn_ratio", "5")));
        Assert.Contains("it allows 2, 4, 6", e.Message);
        var burger = new BurgerSpace("mini");
        Assert.Equal(burger.Largest(), burger.Validate(burger.Largest().With("stage1.width", "32.0")));
    }

    [Fact]
    public void Typed_keys_read_what_the_spaces_write()
    {
        var burger = new BurgerSpace("imagenet_residual").Largest();
        Assert.Equal(TokenMixerKind.Attention, burger.Get(BurgerChoices.Op(2, 0)));
        Assert.Equal(BurgerNormPosition.Pre, burger.Get(BurgerChoices.NormPosition(2, 0)));
        Assert.Equal(NormKind.BatchNorm, burger.Get(BurgerChoices.Norm(0, 1)));
        Assert.Equal(ActivationKind.Relu6, burger.Get(BurgerChoices.Activation(0, 1)));
        Assert.True(burger.Get(BurgerChoices.Edge(1, 2)));
        Assert.False(burger.Get(BurgerChoices.Edge(1, 1)));
        Assert.Equal(512, burger.Get(BurgerChoices.Width(3)));
        var glit = new GlitSpace("imagenet").Smallest();
        Assert.Equal(new GlitHeadSplit(2, 1), glit.Get(GlitChoices.Split(5)));
        Assert.Equal(0.5f, glit.Get(GlitChoices.GlobalExpansion(5)));
        var auto = AutoFormerSpace.Create("tiny").Largest();
        Assert.Equal(14, auto.Get(AutoFormerChoices.Depth));
        Assert.Equal(4f, auto.Get(AutoFormerChoices.MlpRatio(13)));
        Assert.False(AutoFormerSpace.Create("tiny").Smallest().Contains(AutoFormerChoices.Heads(13)));
    }

    [Fact]
    public void Per_choice_draws_keep_the_activity_rules()
    {
        var table = Table();
        var rng = new Generator(3);
        for (int i = 0; i < 200; i++)
        {
            // The toy's narrowing rule can fail; the draws themselves only ever give active choices, in order.
            Architecture? a = null, b = null;
            try { a = table.SampleEach(rng); b = table.SampleEach(rng); }
            catch (UserInputException) { continue; }
            foreach (var child in Try(() => table.MutateEach(a, 0.5, rng)).Concat(Try(() => table.CrossEach(a, b, rng))))
                Assert.Equal(child.Get(Depth) == 2, child.Contains(Width1));
        }

        static IEnumerable<Architecture> Try(Func<Architecture> draw)
        {
            Architecture? result = null;
            try { result = draw(); }
            catch (UserInputException) { }
            if (result is not null) yield return result;
        }
    }

    [Fact]
    public void Retry_returns_the_first_success_and_names_the_constraint_when_none_comes()
    {
        int calls = 0;
        Assert.Equal("third", ChoiceTable.Retry(() => ++calls == 3 ? "third" : null, "a rule"));
        Assert.Equal(3, calls);
        var e = Assert.Throws<InvalidOperationException>(() => ChoiceTable.Retry<string>(() => null, "the residual-path rule", attempts: 50));
        Assert.Contains("the residual-path rule", e.Message);
        Assert.Contains("50 attempts", e.Message);
    }
}
