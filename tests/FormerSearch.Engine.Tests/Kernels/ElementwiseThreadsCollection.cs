namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>
/// Tests that compare 1 and 2 threads change the process-wide thread count, so they run alone
/// (a loop started while another test's loop runs would run inline and prove nothing).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ElementwiseThreadsCollection
{
    public const string Name = "Elementwise thread-count tests";
}
