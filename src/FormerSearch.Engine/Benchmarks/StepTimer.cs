using System.Diagnostics;

namespace FormerSearch.Engine.Benchmarks;

/// <summary>Times a repeated step the way every throughput figure of the project is measured.</summary>
public static class StepTimer
{
    /// <summary>
    /// Median seconds of <paramref name="step"/>: <paramref name="warmup"/> untimed runs (pools, packed weights and
    /// optimiser state get allocated), then timed runs until at least <paramref name="minSeconds"/> have elapsed and
    /// at least <paramref name="minRuns"/> ran. The median, so a stray slow run (GC, another process) does not move it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="minRuns"/> is below 1, or <paramref name="warmup"/> or <paramref name="minSeconds"/> is negative.</exception>
    public static double MedianSeconds(Action step, int warmup, double minSeconds, int minRuns)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (minRuns < 1) throw new ArgumentException($"The number of runs must be at least 1; got {minRuns}.", nameof(minRuns));
        if (warmup < 0) throw new ArgumentException($"The number of warm-up runs must be non-negative; got {warmup}.", nameof(warmup));
        if (!(minSeconds >= 0)) throw new ArgumentException($"The minimum time must be non-negative; got {minSeconds}.", nameof(minSeconds));

        for (int i = 0; i < warmup; i++) step();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minRuns || total.Elapsed.TotalSeconds < minSeconds)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        times.Sort();
        int mid = times.Count / 2;
        return times.Count % 2 == 1 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
    }
}
