using FormerSearch.Engine;
using FormerSearch.Models;
using FormerSearch.Training;

namespace FormerSearch.Tests.Training;

/// <summary>A NaN or infinite logit is never a hit, and an evaluation that covers no image is an error rather than a result.</summary>
public sealed class NonFiniteLogitsTests
{
    [Fact]
    public void A_row_with_a_nan_or_infinite_logit_never_hits()
    {
        // Row 0: NaN in another class (NaN > target is false, so the label would rank first); row 1: +inf on the label;
        // row 2: −inf elsewhere; row 3: finite and right.
        float[] logits =
        [
            0f, 1f, float.NaN,
            0f, float.PositiveInfinity, 1f,
            float.NegativeInfinity, 3f, 1f,
            0f, 5f, 1f,
        ];
        int[] labels = [1, 1, 1, 1];
        Assert.Equal(1, Accuracy.Hits(logits, labels, 1));
        Assert.Equal(1, Accuracy.Hits(logits, labels, 3));
        Assert.Equal(3, Accuracy.NonFiniteRows(logits, 4));
        Assert.Equal(0, Accuracy.NonFiniteRows([], 0));
    }

    [Fact]
    public void A_model_with_a_nan_weight_scores_zero_and_reports_every_image()
    {
        var model = AutoFormerVariants.Entry("tiny", new AutoFormerConfig { EmbedDim = 24, NumHeads = [2, 1], MlpRatios = [2f, 1.5f], HeadDim = 8, PatchSize = 8 })
            .Create(ModelOptions.For(new ModelInput(3, 32, 32), 4) with { Seed = 7 });
        var (images, labels) = TensorBatchSource.Random(16, 32, 32, 3, 4, seed: 3);
        var source = new TensorBatchSource(images, labels, 8);
        var clean = Evaluator.Evaluate(model, source);
        Assert.Equal(0, clean.NonFinite);
        Assert.True(double.IsFinite(clean.Loss));

        model.StateDict()["head.bias"].AsSpan()[0] = float.NaN;
        var broken = Evaluator.Evaluate(model, source);
        Assert.Equal(16, broken.Count);
        Assert.Equal(16, broken.NonFinite);
        Assert.Equal(0, broken.Top1);
        Assert.Equal(0, broken.Top5);
        Assert.True(double.IsNaN(broken.Loss));
        Assert.Null(broken.FiniteLoss);
    }

    [Fact]
    public void An_empty_source_is_refused_instead_of_scoring_zero_images()
    {
        var model = AutoFormerVariants.Entry("tiny", new AutoFormerConfig { EmbedDim = 24, NumHeads = [2, 1], MlpRatios = [2f, 1.5f], HeadDim = 8, PatchSize = 8 })
            .Create(ModelOptions.For(new ModelInput(3, 32, 32), 4));
        var (images, labels) = TensorBatchSource.Random(4, 32, 32, 3, 4, seed: 3);
        var e = Assert.Throws<UserInputException>(() => Evaluator.Evaluate(model, new TensorBatchSource(images, labels, 8)));
        Assert.Contains("no images", e.Message);
    }
}
