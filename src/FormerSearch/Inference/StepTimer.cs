using System.Diagnostics;

namespace FormerSearch.Inference;

/// <summary>
/// Times a repeated step the way every throughput figure of the project is measured: the search's latency constraint
/// (<see cref="ForwardTimer"/>) and every <c>former bench</c> measurement (bench/FormerSearch.Bench).
/// </summary>
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
        return Median(times);
    }

    /// <summary>The median of <paramref name="values"/> (sorted in place); the mean of the middle two for an even count.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static double Median(List<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        values.Sort();
        int mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
    }
}
