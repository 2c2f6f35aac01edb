using FormerSearch.Engine;
using FormerSearch.Engine.Nn;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets.Layers;

namespace FormerSearch.Tests.Supernets;

/// <summary>The shared sliced layers: what each computes and lists as its active slice, and extraction from the module tree.</summary>
public sealed class SlicedLayerTests
{
    private static void Number(Tensor t)
    {
        var span = t.AsSpan();
        for (int i = 0; i < span.Length; i++) span[i] = i;
    }

    // Parts of at most 3 rows over 4 inputs: weight row r holds 4r … 4r + 3, bias element r holds 100 r.
    private static SlicedLinear Numbered(int parts)
    {
        var layer = new SlicedLinear(4, 3, new Generator(1), SlicedInit.TruncNormal, parts: parts);
        Number(layer.Weight.Value);
        var bias = layer.Bias!.Value.AsSpan();
        for (int i = 0; i < bias.Length; i++) bias[i] = 100 * i;
        return layer;
    }

    [Fact]
    public void Stacked_parts_use_the_leading_rows_of_each_band_and_list_them_in_order()
    {
        // Three parts of at most 3 rows over 4 inputs: weight row r holds 4r … 4r + 3, bias element r holds 100 r.
        var layer = Numbered(parts: 3);
        layer.Activate(2, 2);
        Assert.False(layer.IsOneBlock);
        var x = Tensor.FromArray([1f, 0f], 1, 2);                           // picks the first column
        Assert.Equal([12f + 300, 16 + 400], layer.Part(x, 1).ToArray());    // rows 3, 4 of band 1
        Assert.Throws<InvalidOperationException>(() => layer.Forward(x));
        var state = layer.ActiveState().ToDictionary(s => s.Name, s => s.Parts);
        Assert.Equal([0f, 1, 4, 5], state["weight"][0].ToArray());
        Assert.Equal([24f, 25, 28, 29], state["weight"][2].ToArray());
        Assert.Equal([600f, 700], state["bias"][2].ToArray());
        layer.Activate(2, 3);
        Assert.True(layer.IsOneBlock);
        Assert.Equal([0f + 0, 4 + 100, 8 + 200, 12 + 300, 16 + 400, 20 + 500, 24 + 600, 28 + 700, 32 + 800], layer.Forward(x).ToArray());
    }

    [Fact]
    public void A_window_uses_its_columns_and_the_rows_from_its_start_in_each_band()
    {
        // Two parts of at most 3 rows over 4 inputs, as above; columns 2–3 and row 1 of each band active.
        var layer = Numbered(parts: 2);
        layer.ActivateWindow(2, 2, 1, 1);
        var x = Tensor.FromArray([1f, 10f], 1, 2);                          // 1 × column 2 + 10 × column 3
        Assert.Equal([6f + 10 * 7 + 100], layer.Part(x, 0).ToArray());      // row 1
        Assert.Equal([18f + 10 * 19 + 400], layer.Part(x, 1).ToArray());   // row 4: band 1's row 1
        var state = layer.ActiveState().ToDictionary(s => s.Name, s => s.Parts);
        Assert.Equal([6f, 7], state["weight"][0].ToArray());
        Assert.Equal([18f, 19], state["weight"][1].ToArray());
        Assert.Equal([400f], state["bias"][1].ToArray());

        // One part: a window is one GEMM over the block.
        var plain = new SlicedLinear(4, 3, new Generator(1), SlicedInit.TruncNormal, weightLayout: LinearWeightLayout.Conv1d);
        Number(plain.Weight.Value);
        plain.Bias!.Value.AsSpan().Clear();
        plain.ActivateWindow(1, 3, 1, 2);
        Assert.True(plain.IsOneBlock);
        Assert.Equal([5f + 6 + 7, 9 + 10 + 11], plain.Forward(Tensor.FromArray([1f, 1f, 1f], 1, 3)).ToArray());
        Assert.Equal([2, 3, 1], plain.ActiveState().First().Parts[0].Shape.ToArray());   // rows 1–2, columns 1–3 of the [3, 4, 1] weight

        Assert.Throws<ArgumentException>(() => layer.ActivateWindow(3, 2, 0, 1));
        Assert.Throws<ArgumentException>(() => layer.ActivateWindow(0, 1, 2, 2));
        Assert.Throws<ArgumentException>(() => layer.ActivateWindow(-1, 1, 0, 1));
        var interleaved = new SlicedLinear(4, 3, new Generator(1), SlicedInit.TruncNormal, parts: 3, layout: PartLayout.Interleaved);
        Assert.Throws<ArgumentException>(() => interleaved.ActivateWindow(1, 2, 0, 1));
    }

    [Fact]
    public void A_smaller_kernel_is_the_centre_crop_of_the_largest()
    {
        var conv = new SlicedDepthwiseConv1d(3, 5, new Generator(2));
        Number(((ISlicedLayer)conv).ActiveState().First().Parts[0]);        // weight [3, 1, 5]: channel c holds 5c … 5c + 4
        conv.Activate(2, 3);
        var weight = conv.ActiveState().Single(s => s.Name == "weight").Parts[0];
        Assert.Equal([2, 1, 3], weight.Shape.ToArray());
        Assert.Equal([1f, 2, 3, 6, 7, 8], weight.ToArray());
        Assert.Throws<ArgumentException>(() => conv.Activate(2, 2));        // not centred
        Assert.Throws<ArgumentException>(() => conv.Activate(4, 3));        // more channels than held
    }

    [Fact]
    public void Extraction_refuses_trees_that_do_not_pair_and_names_the_place()
    {
        var supernet = new Holder(("fc", new SlicedLinear(4, 3, new Generator(3), SlicedInit.TorchDefault)));
        var standalone = new Holder(("fc", new Linear(4, 3, new Generator(3), bias: false)));
        var e = Assert.Throws<InvalidOperationException>(() => SubnetExtraction.CopyInto(supernet, standalone));
        Assert.Contains("'fc'", e.Message);
        var narrower = new Holder(("fc", new Linear(4, 2, new Generator(3))));
        Assert.Throws<InvalidOperationException>(() => SubnetExtraction.CopyInto(supernet, narrower));
        ((SlicedLinear)supernet.NamedChildren().Single().Module).Activate(4, 2);
        SubnetExtraction.CopyInto(supernet, narrower);
    }

    [Theory]
    [InlineData("autoformer")]
    [InlineData("glit")]
    [InlineData("burger")]
    public void The_active_slices_hold_exactly_the_extracted_models_parameters(string spaceName)
    {
        var space = SearchSpaces.Create(spaceName, "mini");
        var supernet = space.CreateSupernet(ModelOptions.For(space.DefaultInput, 10));
        var parameters = supernet.NamedParameters().Select(p => p.Name).ToHashSet();
        var rng = new Generator(4);
        foreach (var arch in new[] { space.Smallest(), space.Largest(), space.Sample(rng), space.Sample(rng) })
        {
            supernet.Activate(arch);
            // Parameters only (BatchNorm statistics are buffers); a tensor in several bands is listed as name#0, name#1, ….
            long active = supernet.ActiveSlices().Where(v => parameters.Contains(v.Key.Split('#')[0])).Sum(v => (long)v.Value.Numel);
            Assert.Equal(space.Profile(arch, ModelOptions.For(space.DefaultInput, 10)).Params, active);
        }
    }

    private sealed class Holder : Module
    {
        public Holder(params (string Name, Module Module)[] children)
        {
            foreach (var (name, module) in children) RegisterModule(name, module);
        }
    }
}
