using FormerSearch.Models;
using FormerSearch.Search;

namespace FormerSearch.Pipeline;

/// <summary>What a comparison runs: where, how many seeds, at what budget and input.</summary>
public sealed record ComparisonSettings
{
    /// <summary>Output folder: <c>comparison.json</c>, and one folder per model and seed under <c>runs/</c>.</summary>
    public required string Output { get; init; }

    /// <summary>The budget every model is scaled to (baselines) or checked against (searched ones).</summary>
    public required Constraints Budget { get; init; }

    /// <summary>Input and classes of every model.</summary>
    public required ModelOptions Options { get; init; }

    /// <summary>Training runs per model. Default 3.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Seed of the first run; the others follow it. Default 0.</summary>
    public ulong FirstSeed { get; init; }

    /// <summary>What identifies the training data (data set, split, image count): a finished run is reused only on the same data.</summary>
    public required string Data { get; init; }

    /// <summary>Replicas each run is trained as (in-process data parallelism, see <see cref="Engine.Distributed.Replicas"/>). Default 1.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>With several replicas, batch norm over the whole batch instead of each replica's part.</summary>
    public bool SyncBatchNorm { get; init; }
}
