using System.Globalization;
using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Nn;

/// <summary>
/// <c>nn.Sequential</c>: layers applied in order, registered as children named "0", "1", … so their
/// parameters are named <c>0.weight</c>, <c>1.bias</c>, … as in PyTorch checkpoints.
/// </summary>
public sealed class Sequential : Layer
{
    private readonly List<Layer> _layers = [];

    /// <summary>A sequence of <paramref name="layers"/> .</summary>
    /// <exception cref="ArgumentException">A layer is this sequence.</exception>
    public Sequential(params ReadOnlySpan<Layer> layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>A sequence of <paramref name="layers"/> .</summary>
    /// <exception cref="ArgumentException">A layer is this sequence.</exception>
    public Sequential(IEnumerable<Layer> layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Layer this[int index] => _layers[index];

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Appends <paramref name="layer"/> under the name of its index.</summary>
    /// <exception cref="ArgumentException">The layer is not a <see cref="Module"/> or is this sequence.</exception>
    public void Add(Layer layer)
    {
        RegisterModule(_layers.Count.ToString(CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
    }

    /// <summary>Feeds <paramref name="x"/> through every layer in order (the input itself when empty).</summary>
    public override Tensor Forward(Tensor x)
    {
        for (int i = 0; i < _layers.Count; i++)
        {
            // Without a gradient to record, a linear layer or a BatchNorm and the activation after it run as one fused op.
            var layer = _layers[i];
            if (!Tape.IsEnabled && i + 1 < _layers.Count && ActivationOf(_layers[i + 1]) is { } kind
                && layer is Linear or Conv1x1 or BatchNormBase)
            {
                x = layer is BatchNormBase norm ? norm.Forward(x, kind)
                    : Functional.LinearActivation(x, ((WeightedLayer)layer).Weight.Value, ((WeightedLayer)layer).Bias?.Value, kind);
                i++;
            }
            else x = layer.Forward(x);
        }
        return x;
    }

    /// <summary>The pointwise activation <paramref name="layer"/> applies, or null when it is another kind of layer.</summary>
    private static ActivationKind? ActivationOf(Layer layer) => layer switch
    {
        Gelu => ActivationKind.Gelu,
        Relu => ActivationKind.Relu,
        Relu6 => ActivationKind.Relu6,
        Silu => ActivationKind.Silu,
        _ => null,
    };
}
