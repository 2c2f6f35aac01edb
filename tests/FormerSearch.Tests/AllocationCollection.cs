namespace FormerSearch.Tests;

/// <summary>
/// Allocation measurements, run when no other test runs: tests running beside them share the engine's buffer pool and
/// thread pool, and their use can make a measured step rent new buffers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Allocation measurements";
}
