using System.Collections.Concurrent;
using FormerSearch.Search;
using FormerSearch.Spaces;

namespace FormerSearch.Tests.Search;

/// <summary>Evaluates <see cref="SynthSpace.Accuracy"/>, counting calls per key; can fail at a chosen call, or take time.</summary>
public sealed class SynthEvaluator : ICandidateEvaluator
{
    private int _calls;

    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public int TotalCalls => _calls;

    /// <summary>The 1-based call that throws (0: never).</summary>
    public int FailAt { get; init; }

    public int DelayMs { get; init; }

    public bool HasTestSet { get; init; } = true;

    public double ValidationAccuracy(Architecture architecture)
    {
        int n = Interlocked.Increment(ref _calls);
        if (n == FailAt) throw new IOException($"Simulated crash at evaluation {n}.");
        Calls.AddOrUpdate(architecture.Key, 1, (_, c) => c + 1);
        if (DelayMs > 0) Thread.Sleep(DelayMs);
        return SynthSpace.Accuracy(architecture);
    }

    public double TestAccuracy(Architecture architecture) => SynthSpace.Accuracy(architecture) - 0.5;
}
