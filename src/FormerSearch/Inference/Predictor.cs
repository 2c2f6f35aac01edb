using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Models;

namespace FormerSearch.Inference;

/// <summary>
/// Eval-mode, gradient-free forward of a model over an NCHW image batch of any length, in chunks of
/// <see cref="BatchSize"/> images, each chunk inside its own <see cref="TensorScope"/> so activations are
/// pooled and released between chunks. Every op treats images independently, so the chunk size changes
/// nothing but float rounding (a GEMM's blocking depends on its row count): differences are ~1e-7 relative.
/// </summary>
public sealed class Predictor
{
    /// <summary>Wraps <paramref name="model"/> and switches it to eval mode (BatchNorm uses running statistics, dropout and drop-path are off).</summary>
    /// <exception cref="ArgumentException"><paramref name="batchSize"/> is below 1.</exception>
    public Predictor(VisionModel model, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize < 1) throw new ArgumentException($"The batch size must be at least 1; got {batchSize}.", nameof(batchSize));
        Model = model;
        BatchSize = batchSize;
        model.Eval();
    }

    /// <summary>The model (in eval mode).</summary>
    public VisionModel Model { get; }

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// Logits <c>[B, K]</c> (an ordinary, unscoped tensor) of an NCHW float32 batch <c>[B, C, H, W]</c> of the
    /// model's input size, computed in eval mode without recording gradients.
    /// </summary>
    /// <param name="nchw">The images; any strides.</param>
    /// <param name="source">Names the batch in error messages.</param>
    /// <exception cref="UserInputException">The batch is not 4-D, empty, or not of the model's channel count and size.</exception>
    public Tensor Predict(Tensor nchw, string source = "The input")
    {
        ImageLayout.CheckNchw(nchw, Model.Input, source);
        Model.Eval();
        int count = nchw.Size(0), classes = Model.NumClasses;
        var logits = new float[(long)count * classes];
        using (Tape.NoGrad())
        using (ConstantWeights.Enter())
        {
            for (int start = 0; start < count; start += BatchSize)
            {
                int n = Math.Min(BatchSize, count - start);
                using (TensorScope.Enter())
                {
                    var images = ImageLayout.NchwToNhwc(nchw.Narrow(0, start, n)); // [n, H, W, C]
                    var output = Model.Forward(images);                           // [n, K]
                    if (output.Rank != 2 || output.Size(0) != n || output.Size(1) != classes)
                        throw new InvalidOperationException($"{Model.GetType().Name} returned {Tensor.FormatShape(output.Shape)} for {n} images; expected [{n}, {classes}].");
                    output.Contiguous().AsSpan().CopyTo(logits.AsSpan(start * classes, n * classes));
                }
            }
        }
        return Tensor.FromArray(logits, count, classes);
    }

    /// <summary>
    /// Builds model <paramref name="name"/> for <paramref name="input"/>, loads <paramref name="weightsPath"/> (strict; safetensors
    /// or a PyTorch checkpoint, whose nested entry <paramref name="weightsKey"/> picks, or a <c>former train</c> checkpoint's model —
    /// see <see cref="WeightsFile.Load"/>) and returns a predictor over it. The class count is <paramref name="numClasses"/> when given, else the first
    /// dimension of the file's <c>head.weight</c>, else 1000.
    /// </summary>
    /// <exception cref="UserInputException">Unknown model, a size the architecture cannot take (the message names the model and size), weights that do not fit the model (the message names the file and keys), or a weights file that is truncated or in no format read.</exception>
    public static Predictor Load(string name, string weightsPath, ModelInput input, int? numClasses = null, int batchSize = 64, string? weightsKey = null) =>
        Load(ModelRegistry.Get(name), weightsPath, input, numClasses, batchSize, weightsKey);

    /// <summary>As <see cref="Load(string, string, ModelInput, int?, int, string?)"/> for a model given by its entry (a registered one or an architecture file's).</summary>
    /// <exception cref="UserInputException">A size the architecture cannot take, weights that do not fit the model, or a weights file that is truncated or in no format read.</exception>
    public static Predictor Load(ModelEntry entry, string weightsPath, ModelInput input, int? numClasses = null, int batchSize = 64, string? weightsKey = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        int classes = numClasses ?? WeightsFile.HeadClasses(weightsPath) ?? 1000;
        VisionModel model;
        try { model = entry.Create(ModelOptions.For(input, classes)); }
        catch (UserInputException e)
        {
            // The architecture's own reason (patch size, stage strides) without saying which model and size were asked for is hard to act on.
            throw new UserInputException($"{entry.Name} cannot take {input} images: {e.Message.TrimEnd('.')}.", e);
        }
        WeightsFile.Load(model, weightsPath, weightsKey);
        return new Predictor(model, batchSize);
    }
}
