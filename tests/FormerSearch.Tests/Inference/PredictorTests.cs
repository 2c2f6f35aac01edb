using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;
using FormerSearch.Inference;
using FormerSearch.Models;
using FormerSearch.Models.Blocks;

namespace FormerSearch.Tests.Inference;

public sealed class PredictorTests
{
    private static readonly ModelInput Size = new(3, 32, 32);

    private static Tensor RandomNchw(ulong seed, int batch, ModelInput input)
    {
        var x = Tensor.Empty(batch, input.Channels, input.Height, input.Width);
        new Generator(seed).FillNormal(x.AsSpan());
        return x;
    }

    // Naive reference: out[b, h, w, c] = in[b, c, h, w].
    private static float[] NaiveNhwc(Tensor nchw)
    {
        int b = nchw.Size(0), c = nchw.Size(1), h = nchw.Size(2), w = nchw.Size(3);
        var src = nchw.Contiguous().ToArray();
        var dst = new float[src.Length];
        for (int n = 0; n < b; n++)
            for (int ci = 0; ci < c; ci++)
                for (int y = 0; y < h; y++)
                    for (int xi = 0; xi < w; xi++)
                        dst[((n * h + y) * w + xi) * c + ci] = src[((n * c + ci) * h + y) * w + xi];
        return dst;
    }

    private static float[] DirectForward(VisionModel model, Tensor nchw)
    {
        model.Eval();
        // As the predictor serves a batch: weights taken as constants (packed once), so the same GEMM path and bits.
        using (Tape.NoGrad())
        using (ConstantWeights.Enter())
        using (TensorScope.Enter())
        {
            var nhwc = Tensor.FromArray(NaiveNhwc(nchw), nchw.Size(0), nchw.Size(2), nchw.Size(3), nchw.Size(1));
            return model.Forward(nhwc).ToArray();
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(2, 3, 5, 7)]
    [InlineData(3, 1, 4, 2)]
    [InlineData(2, 2, 3, 9)]
    [InlineData(1, 4, 17, 3)]
    [InlineData(3, 5, 2, 33)]
    [InlineData(5, 3, 40, 37)]
    public void NchwToNhwc_matches_the_naive_permutation_with_one_and_two_threads(int b, int c, int h, int w)
    {
        var x = RandomNchw(3, b, new ModelInput(c, h, w));
        var expected = NaiveNhwc(x);
        int saved = EngineSettings.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                EngineSettings.Threads = threads;
                var y = ImageLayout.NchwToNhwc(x);
                Assert.Equal([b, h, w, c], y.Shape.ToArray());
                Assert.True(y.IsContiguous);
                Assert.Equal(expected, y.ToArray());
            }
        }
        finally { EngineSettings.Threads = saved; }
    }

    [Fact]
    public void NchwToNhwc_of_a_tensor_needing_gradients_is_differentiable()
    {
        var x = RandomNchw(1, 2, new ModelInput(3, 4, 5));
        x.RequiresGrad = true;
        var y = ImageLayout.NchwToNhwc(x);
        Assert.Equal(NaiveNhwc(x), y.ToArray());
        // Weight each output by its flat index so a wrong scatter would show.
        var weights = Tensor.FromArray(Enumerable.Range(0, y.Numel).Select(i => (float)i).ToArray(), y.Shape);
        Functional.Sum(Functional.Mul(y, weights)).Backward();
        var grad = Tensor.FromArray(weights.ToArray(), 2, 4, 5, 3).Permute(0, 3, 1, 2).Contiguous().ToArray();
        Assert.Equal(grad, x.Grad!.ToArray());
    }

    [Fact]
    public void NchwToNhwc_takes_strided_views()
    {
        var big = RandomNchw(4, 5, new ModelInput(3, 6, 6));
        var view = big.Narrow(0, 1, 3).Narrow(2, 1, 4); // [3, 3, 4, 6], not contiguous
        Assert.False(view.IsContiguous);
        Assert.Equal(NaiveNhwc(view), ImageLayout.NchwToNhwc(view).ToArray());
    }

    [Fact]
    public void Logits_equal_a_direct_forward_on_the_channels_last_batch()
    {
        var model = ModelRegistry.Create("poolformer_s12", ModelOptions.For(Size, 10) with { Seed = 11 });
        var x = RandomNchw(5, 3, Size);
        var logits = new Predictor(model, batchSize: 8).Predict(x);
        Assert.Equal([3, 10], logits.Shape.ToArray());
        Assert.Equal(DirectForward(model, x), logits.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Batching_does_not_change_the_logits(int batchSize)
    {
        var model = ModelRegistry.Create("deit_tiny", ModelOptions.For(Size, 7) with { Seed = 2 });
        var x = RandomNchw(6, 5, Size);
        var whole = new Predictor(model, batchSize: 5).Predict(x).ToArray();
        var chunked = new Predictor(model, batchSize).Predict(x).ToArray();
        TestClose(whole, chunked, 1e-5f);
    }

    [Fact]
    public void Eval_mode_is_used_batchnorm_running_statistics_and_no_dropout()
    {
        var config = new PoolFormerConfig { Depths = [1, 1, 1, 1], Widths = [8, 16, 24, 32], Norm = NormKind.BatchNorm };
        var options = ModelOptions.For(Size, 5) with { Seed = 3, DropRate = 0.5f, DropPathRate = 0.5f };
        var model = new PoolFormer(config, options);
        // Non-trivial running statistics, so eval mode (running stats) and train mode (batch stats) differ.
        var g = new Generator(9);
        foreach (var module in AllModules(model))
            if (module is BatchNormBase bn)
            {
                g.FillUniform(bn.RunningMean.AsSpan(), -0.5f, 0.5f);
                g.FillUniform(bn.RunningVar.AsSpan(), 0.5f, 2f);
            }
        var meansBefore = RunningMeans(model);

        model.Train();
        var x = RandomNchw(8, 4, Size);
        var predictor = new Predictor(model, batchSize: 3);
        Assert.False(model.Training);
        var first = predictor.Predict(x).ToArray();
        var second = predictor.Predict(x).ToArray();
        Assert.Equal(first, second);                     // no dropout masks drawn
        Assert.Equal(meansBefore, RunningMeans(model));  // BatchNorm did not update its statistics

        // A fresh model with the same weights and no dropout at all, in eval mode, gives the same logits.
        var plain = new PoolFormer(config, options with { DropRate = 0, DropPathRate = 0 });
        plain.LoadStateDict(model.StateDict());
        TestClose(DirectForward(plain, x), first, 1e-5f);

        // And train mode would have given something else (so the check above is not vacuous).
        model.Train();
        float[] training;
        using (Tape.NoGrad())
        using (TensorScope.Enter())
            training = model.Forward(ImageLayout.NchwToNhwc(x)).ToArray();
        Assert.NotEqual(first, training);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 32 }, "4-D")]
    [InlineData(new[] { 2, 1, 32, 32 }, "channels")]
    [InlineData(new[] { 2, 3, 32, 16 }, "32x16")]
    [InlineData(new[] { 0, 3, 32, 32 }, "empty")]
    public void A_batch_of_the_wrong_shape_is_refused_with_one_sentence(int[] shape, string expected)
    {
        var model = ModelRegistry.Create("poolformer_s12", ModelOptions.For(Size, 10));
        var x = Tensor.Zeros(shape);
        var e = Assert.Throws<UserInputException>(() => new Predictor(model).Predict(x, "Input 'x.npy'"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("x.npy", e.Message);
    }

    [Fact]
    public void Load_takes_the_class_count_from_the_weights_and_reproduces_the_saved_model()
    {
        string dir = Directory.CreateTempSubdirectory("predictor").FullName;
        try
        {
            var model = ModelRegistry.Create("poolformer_s12", ModelOptions.For(Size, 10) with { Seed = 5 });
            string weights = Path.Combine(dir, "w.safetensors");
            model.SaveSafeTensors(weights);
            Assert.Equal(10, WeightsFile.HeadClasses(weights));
            Assert.Equal(3, WeightsFile.InputChannels(weights)?.Channels);

            var predictor = Predictor.Load("poolformer_s12", weights, Size);
            Assert.Equal(10, predictor.Model.NumClasses);
            var x = RandomNchw(1, 2, Size);
            Assert.Equal(DirectForward(model, x), predictor.Predict(x).ToArray());

            // A wrong explicit class count is the loader's size-mismatch error.
            var e = Assert.Throws<UserInputException>(() => Predictor.Load("poolformer_s12", weights, Size, numClasses: 1000));
            Assert.Contains("head.weight", e.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ImageBatchFile_refuses_non_float32_and_non_4d_arrays()
    {
        string dir = Directory.CreateTempSubdirectory("predictor").FullName;
        try
        {
            string bytes = Path.Combine(dir, "u8.npy");
            Npy.SaveBytes(bytes, new byte[12], 1, 3, 2, 2);
            Assert.Contains("|u1", Assert.Throws<UserInputException>(() => ImageBatchFile.LoadNchw(bytes)).Message);

            string flat = Path.Combine(dir, "flat.npy");
            Npy.Save(flat, Tensor.Zeros(3, 4));
            Assert.Contains("[3, 4]", Assert.Throws<UserInputException>(() => ImageBatchFile.LoadNchw(flat)).Message);

            string good = Path.Combine(dir, "good.npy");
            var x = RandomNchw(2, 2, new ModelInput(3, 4, 5));
            Npy.Save(good, x);
            Assert.Equal(x.ToArray(), ImageBatchFile.LoadNchw(good).ToArray());

            Assert.Throws<UserInputException>(() => ImageBatchFile.LoadNchw(Path.Combine(dir, "missing.npy")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static IEnumerable<Module> AllModules(Module root)
    {
        yield return root;
        foreach (var (_, child) in root.NamedChildren())
            foreach (var m in AllModules(child)) yield return m;
    }

    private static float[] RunningMeans(Module model)
    {
        var all = new List<float>();
        foreach (var module in AllModules(model))
            if (module is BatchNormBase bn) all.AddRange(bn.RunningMean.ToArray());
        Assert.NotEmpty(all);
        return all.ToArray();
    }

    private static void TestClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: {expected[i]} vs {actual[i]}");
    }
}
