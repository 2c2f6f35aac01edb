using System.CommandLine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>--weights-key K</c>, beside every option that reads weights: the entry of a nested PyTorch checkpoint to take
/// (by default the first of <c>model</c>, <c>state_dict</c>, <c>model_ema</c>, <c>state_dict_ema</c> present; which one is
/// said on standard error).
/// </summary>
public static class WeightsKeyOption
{
    /// <summary>What every weights option's description says about the formats it reads.</summary>
    public const string Formats = "safetensors or a PyTorch checkpoint (.pth, .pth.tar, .pt), official names";

    /// <summary>A new <c>--weights-key</c> option.</summary>
    public static Option<string?> Create() => new("--weights-key")
    {
        Description = $"Entry of a nested PyTorch checkpoint to take (default: the first of {string.Join(", ", TorchCheckpoint.NestedKeys)} present).",
    };
}
