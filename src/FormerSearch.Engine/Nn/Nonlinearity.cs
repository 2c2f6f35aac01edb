namespace FormerSearch.Engine.Nn;

/// <summary>The nonlinearity an initialiser's gain is computed for (PyTorch's <c>calculate_gain</c>).</summary>
public enum Nonlinearity
{
    /// <summary>Gain 1.</summary>
    Linear,
    /// <summary>Gain 1 (any convolution).</summary>
    Conv,
    /// <summary>Gain 1.</summary>
    Sigmoid,
    /// <summary>Gain 5/3.</summary>
    Tanh,
    /// <summary>Gain √2.</summary>
    Relu,
    /// <summary>Gain √(2 / (1 + a²)) for negative slope a.</summary>
    LeakyRelu,
    /// <summary>Gain 3/4.</summary>
    Selu,
}
