namespace FormerSearch.Engine.Tests.Ops;

/// <summary>Tests that switch the process-wide thread count run alone, so that their loops really split.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConvNormThreadsCollection
{
    public const string Name = "Norm/conv/pool thread-count tests";
}
