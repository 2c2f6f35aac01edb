namespace FormerSearch.Supernets.Layers;

/// <summary>How a sliced layer draws its largest weights, so that a supernet draws what the official code draws in the same order.</summary>
public enum SlicedInit
{
    /// <summary>PyTorch's default for <c>nn.Linear</c> and <c>nn.Conv*d</c>: kaiming_uniform(a = √5) weights, U(±1/√fan_in) biases.</summary>
    TorchDefault,

    /// <summary>trunc_normal(0.02) weights and zero biases (the official <c>_init_weights</c> of AutoFormer's and GLiT's layers).</summary>
    TruncNormal,
}
