using FormerSearch.Models;
using Microsoft.ML.OnnxRuntime;

namespace FormerSearch.Bench;

/// <summary>
/// An exported model in ONNX Runtime, set up as a deploying user would for CPU inference: all graph optimisations,
/// sequential execution, <c>IntraOpNumThreads</c> threads. Runs NCHW float32 batches to logits.
/// </summary>
public sealed class OnnxRuntimeModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run = new();
    private readonly string _inputName;
    private readonly string _outputName;

    /// <summary>A session over the ONNX file <paramref name="onnx"/> (its bytes) using <paramref name="threads"/> threads.</summary>
    /// <exception cref="ArgumentException"><paramref name="threads"/> is below 1.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejects the model.</exception>
    public OnnxRuntimeModel(byte[] onnx, ModelInput input, int threads)
    {
        if (threads < 1) throw new ArgumentException($"ONNX Runtime needs at least one thread; got {threads}.", nameof(threads));
        Input = input;
        _options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(onnx, _options);
        _inputName = _session.InputMetadata.Keys.Single();
        _outputName = _session.OutputMetadata.Keys.Single();
    }

    /// <summary>The image size the model takes.</summary>
    public ModelInput Input { get; }

    /// <summary>Logits <c>[B, K]</c>, row-major, of <paramref name="batch"/> NCHW images held row-major in <paramref name="images"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="images"/> does not hold <paramref name="batch"/> images of <see cref="Input"/>'s size.</exception>
    public float[] Run(float[] images, int batch)
    {
        long[] shape = [batch, Input.Channels, Input.Height, Input.Width];
        if (images.Length != shape[0] * shape[1] * shape[2] * shape[3])
            throw new ArgumentException($"{images.Length} values are not {batch} images of {Input}.", nameof(images));
        using var value = OrtValue.CreateTensorValueFromMemory(images, shape);
        using var outputs = _session.Run(_run, [_inputName], [value], [_outputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Releases the session.</summary>
    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
        _run.Dispose();
    }
}
