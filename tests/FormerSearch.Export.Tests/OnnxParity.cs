using FormerSearch.Bench;
using FormerSearch.Engine;
using FormerSearch.Export;
using FormerSearch.Inference;
using FormerSearch.Models;

namespace FormerSearch.Export.Tests;

/// <summary>
/// The check every export test makes: the exported model, run by ONNX Runtime, gives the logits of the engine's
/// eval-mode forward (<see cref="Predictor"/>, the path of <c>former predict</c>) on the same NCHW images, within
/// <see cref="Tolerance"/> of the largest logit.
/// </summary>
internal static class OnnxParity
{
    /// <summary>The largest difference allowed, relative to the largest |logit|.</summary>
    public const float Tolerance = 1e-4f;

    /// <summary>
    /// Moves every parameter that starts at one value for all its elements (norm scales and shifts, layer scales at 1e-5,
    /// StarReLU's scale and bias, zero biases) by N(0, 0.2), and draws BatchNorm running statistics, so that no branch
    /// of the model hides behind its initialisation and the export of every weight is checked.
    /// </summary>
    public static void Perturb(VisionModel model, ulong seed)
    {
        var rng = new Generator(seed);
        foreach (var (_, parameter) in model.NamedParameters())
        {
            var values = parameter.Value.AsSpan();
            if (values.Length == 0 || values.IndexOfAnyExcept(values[0]) >= 0) continue;
            for (int i = 0; i < values.Length; i++) values[i] += 0.2f * (float)rng.NextGaussian();
        }
        foreach (var (name, buffer) in model.NamedBuffers())
        {
            var values = buffer.AsSpan();
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] = 0.2f * (float)rng.NextGaussian();
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
                for (int i = 0; i < values.Length; i++) values[i] = 0.5f + rng.NextFloat();
        }
    }

    /// <summary>
    /// Exports <paramref name="model"/> with <paramref name="options"/> and asserts that ONNX Runtime's logits equal the
    /// engine's for a random batch of each size in <paramref name="batches"/> (one session: the batch is dynamic unless the
    /// options fix it). Returns the file's bytes.
    /// </summary>
    public static byte[] AssertMatches(VisionModel model, OnnxExportOptions? options = null, params int[] batches)
    {
        var onnx = OnnxExporter.ToBytes(model, options);
        using var session = new OnnxRuntimeModel(onnx, model.Input, threads: 1);
        foreach (int batch in batches.Length == 0 ? [1, 3] : batches) AssertBatch(model, session, batch);
        return onnx;
    }

    private static void AssertBatch(VisionModel model, OnnxRuntimeModel session, int batch)
    {
        var input = model.Input;
        var images = new float[batch * input.Channels * input.Height * input.Width];
        new Generator((ulong)batch).FillNormal(images);
        var expected = new Predictor(model).Predict(Tensor.FromArray(images, batch, input.Channels, input.Height, input.Width)).ToArray();
        var actual = session.Run(images, batch);
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(MathF.Abs), worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = MathF.Max(worst, MathF.Abs(expected[i] - actual[i]));
        Assert.True(scale > 0, "The engine's logits are all zero: the check would compare nothing.");
        Assert.True(worst <= Tolerance * scale, $"Batch {batch}: ONNX Runtime's logits differ from the engine's by {worst:G3} (largest |logit| {scale:G3}).");
    }
}
