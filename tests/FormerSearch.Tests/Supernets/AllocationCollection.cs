namespace FormerSearch.Tests.Supernets;

/// <summary>Allocation measurements, run when no other test runs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Allocation measurements";
}
