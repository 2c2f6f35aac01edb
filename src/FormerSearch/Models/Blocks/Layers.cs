using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Models.Blocks;

/// <summary>Builds the engine layer a <see cref="NormKind"/> or <see cref="ActivationKind"/> names.</summary>
public static class Layers
{
    /// <summary>A norm over <paramref name="channels"/> channels (<see cref="Identity"/> for <see cref="NormKind.None"/>).</summary>
    public static Layer Norm(NormKind kind, int channels, float eps = 1e-5f) => kind switch
    {
        NormKind.GroupNorm => new GroupNorm(1, channels, eps),
        NormKind.LayerNorm => new LayerNorm(channels, eps),
        NormKind.BatchNorm => new BatchNorm2d(channels),
        NormKind.None => new Identity(),
        _ => throw new ArgumentException($"Unknown norm {kind}."),
    };

    /// <summary>The activation layer <paramref name="kind"/> names (<see cref="Identity"/> for <see cref="ActivationKind.None"/>).</summary>
    public static Layer Activation(ActivationKind kind) => kind switch
    {
        ActivationKind.Gelu => new Gelu(),
        ActivationKind.Relu => new Relu(),
        ActivationKind.Relu6 => new Relu6(),
        ActivationKind.Silu => new Silu(),
        ActivationKind.StarRelu => new StarRelu(),
        ActivationKind.None => new Identity(),
        _ => throw new ArgumentException($"Unknown activation {kind}."),
    };

    /// <summary>Parameter elements of <see cref="Norm"/>'s layer (BatchNorm's running statistics are buffers, not parameters).</summary>
    public static long NormParams(NormKind kind, int channels) => kind == NormKind.None ? 0 : 2L * channels;

    /// <summary>Parameter elements of <see cref="Activation"/>'s layer (StarReLU's scale and bias).</summary>
    public static long ActivationParams(ActivationKind kind) => kind == ActivationKind.StarRelu ? 2 : 0;

    /// <summary>Kind label of a norm in profile tables.</summary>
    public static string NormLabel(NormKind kind) => kind switch
    {
        NormKind.GroupNorm => "groupnorm",
        NormKind.LayerNorm => "layernorm",
        NormKind.BatchNorm => "batchnorm",
        _ => "identity",
    };

    /// <summary>Draws timm's init for a linear layer: weight ~ trunc_normal(std 0.02) cut at ±2, bias 0.</summary>
    public static void TruncNormalInit(Module layer, Generator generator, double std = 0.02)
    {
        foreach (var (name, p) in layer.NamedParameters())
        {
            if (name == "weight") Init.TruncNormal(p.Value, generator, std: std);
            else if (name == "bias") Init.Zeros(p.Value);
        }
    }

    /// <summary>Draws <see cref="TruncNormalInit(Module, Generator, double)"/> for each of <paramref name="layers"/> in turn (std 0.02).</summary>
    public static void TruncNormalInit(Generator generator, params ReadOnlySpan<Module> layers)
    {
        foreach (var layer in layers) TruncNormalInit(layer, generator);
    }

    /// <summary>Draws <see cref="TruncNormalInit(Module, Generator, double)"/> for each direct child of <paramref name="module"/> in turn (an attention's or spatial FC's linear layers, which the official code draws so, after PyTorch's defaults).</summary>
    public static void TruncNormalInitChildren(Module module, Generator generator)
    {
        foreach (var (_, child) in module.NamedChildren()) TruncNormalInit(child, generator);
    }
}
