using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using FormerSearch.Engine;
using FormerSearch.Models;

namespace FormerSearch.Training;

/// <summary>
/// An exponential moving average of a model's weights and buffers (timm's <c>ModelEmaV2</c>): after each step
/// <c>ema ← decay·ema + (1 − decay)·w</c>. Kept as plain tensors in the model's own state-dict names and layout.
/// </summary>
public sealed class ModelEma
{
    private readonly (Tensor Live, Tensor Average)[] _pairs;
    private readonly float _decay;

    /// <summary>Starts the average at <paramref name="model"/>'s current weights.</summary>
    public ModelEma(VisionModel model, double decay)
    {
        _decay = (float)decay;
        State = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        _pairs = model.StateDict().Select(kv => (kv.Value, State[kv.Key])).ToArray();
    }

    /// <summary>The averaged state, by the model's state-dict names (internal layout).</summary>
    public Dictionary<string, Tensor> State { get; }

    /// <summary>Folds the model's current weights into the average.</summary>
    public void Update()
    {
        foreach (var (live, average) in _pairs)
        {
            var ema = average.AsSpan();
            TensorPrimitives.Multiply(ema, _decay, ema);
            TensorPrimitives.MultiplyAdd(live.AsSpan(), 1f - _decay, ema, ema);
        }
    }
}
