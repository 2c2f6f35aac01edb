using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FormerSearch.Engine;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Studies;

namespace FormerSearch.Bench;

/// <summary>
/// Study claims per second: N candidates recorded in a fresh study, then W worker threads — each with its own study
/// connection, as separate worker processes have — claim them the way <c>former search</c> workers do (TryClaim; on a claim a
/// heartbeat, a zero-cost evaluation, Complete; Busy ones retried after the others), each starting at its own share of the
/// list, until every candidate is done. What is timed is the study's own cost per candidate: the claim transaction, the
/// heartbeat's connection and the completion.
/// </summary>
public static partial class StudyClaimBenchmark
{
    private const string RunName = "claim-bench";

    /// <summary>
    /// Records <paramref name="candidates"/> distinct architectures of AutoFormer mini in a new study at
    /// <paramref name="location"/> (a file or a <c>postgresql://</c> URL), runs <paramref name="workers"/> workers on them
    /// and checks every candidate was claimed and completed exactly once, with the claimer's value stored.
    /// <paramref name="log"/> hears one line once the candidates are recorded (the store reached).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one worker or candidate.</exception>
    /// <exception cref="UserInputException">The study already exists or its server cannot be reached.</exception>
    /// <exception cref="InvalidOperationException">A candidate was claimed twice, never completed, or stored another worker's value: a broken claim protocol.</exception>
    public static StudyClaimBenchmarkResult Run(string location, int workers, int candidates, ulong seed = 0, Action<string>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        var space = SearchSpaces.Create("autoformer", "mini");
        var keys = Record(location, space, candidates, seed);
        log?.Invoke($"recorded {candidates} candidates in {location}; {workers} workers claim them …");

        var claims = new ConcurrentDictionary<string, int>();
        var values = new ConcurrentDictionary<string, double>();
        long busy = 0;
        var failures = new ConcurrentQueue<Exception>();
        using var start = new Barrier(workers + 1);
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            try
            {
                using var study = Study.Open(location, space);
                start.SignalAndWait();
                Interlocked.Add(ref busy, Work(study, keys, w, workers, claims, values));
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
                start.RemoveParticipant();
            }
        }) { IsBackground = true, Name = $"claim worker {w}" }).ToArray();
        foreach (var t in threads) t.Start();
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        foreach (var t in threads) t.Join();
        double seconds = clock.Elapsed.TotalSeconds;
        if (!failures.IsEmpty) throw new AggregateException("A claim-benchmark worker failed.", failures);

        Check(location, space, keys, claims, values);
        bool server = Study.IsServerUrl(location);
        using var opened = Study.OpenExisting(location);
        return new StudyClaimBenchmarkResult(server ? "postgresql" : "sqlite", opened.Path, workers, candidates, seconds, candidates / seconds, busy);
    }

    /// <summary>
    /// A PostgreSQL study URL with <c>_YYYYMMDDHHMMSS</c> (UTC) appended to its study name, so each measurement gets a fresh
    /// schema; the name is shortened to fit PostgreSQL's 63 characters. Another location comes back unchanged.
    /// </summary>
    public static string WithTimestamp(string location, DateTime utc)
    {
        if (!Study.IsServerUrl(location)) return location;
        string suffix = "_" + utc.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        return StudyParameter().Replace(location, m => m.Groups[1].Value + m.Groups[2].Value[..Math.Min(m.Groups[2].Length, 63 - suffix.Length)] + suffix, 1);
    }

    [GeneratedRegex("([?&]study=)([^&]*)")]
    private static partial Regex StudyParameter();

    // N distinct architectures recorded as one run's candidates (recording is not timed).
    private static string[] Record(string location, ISearchSpace space, int count, ulong seed)
    {
        using var study = Study.Create(location, space);
        study.BeginRun(RunName, "claim-benchmark", "{}", seed, resume: false);
        var rng = new Generator(seed);
        var seen = new HashSet<string>();
        for (int draws = 0; seen.Count < count; draws++)
        {
            if (draws > 100 * count) throw new InvalidOperationException($"AutoFormer mini gave fewer than {count} distinct architectures in {draws} draws.");
            var arch = space.Sample(rng);
            if (!seen.Add(arch.Key)) continue;
            study.Record(RunName, seen.Count - 1, new Candidate(arch, 0, 0, null, 0, "random", []));
        }
        return [.. seen];
    }

    // One worker: the loop of CandidatePool.Resolve with a zero-cost evaluation (this worker's index plus the key's hash, so
    // a stored value shows whose it is), Busy candidates retried at once or after a millisecond rather than Resolve's poll
    // interval (a claim here lasts microseconds). Returns how many Busy answers it had.
    private static long Work(Study study, string[] keys, int worker, int workers, ConcurrentDictionary<string, int> claims, ConcurrentDictionary<string, double> values)
    {
        long busyAnswers = 0;
        // Each worker starts at its own share of the list and wraps around: with real evaluations workers spread out like
        // this by themselves; with zero-cost ones, walking in lockstep would time the Busy answers rather than the claims.
        int offset = (int)((long)keys.Length * worker / workers);
        IReadOnlyList<string> pending = [.. keys[offset..], .. keys[..offset]];
        while (pending.Count > 0)
        {
            var busy = new List<string>();
            foreach (string key in pending)
            {
                switch (study.TryClaim(key, ClaimPhase.Validation, out _))
                {
                    case ClaimOutcome.Claimed:
                        claims.AddOrUpdate(key, 1, (_, n) => n + 1);
                        double value = worker + (key.GetHashCode() & 0xFFFF) / 65536.0;
                        values[key] = value;
                        using (study.Heartbeat(key)) { }
                        study.Complete(key, ClaimPhase.Validation, value, 0);
                        break;
                    case ClaimOutcome.Busy:
                        busy.Add(key);
                        busyAnswers++;
                        break;
                }
            }
            // Only other workers' claims left: wait a millisecond rather than spin on them, which would take the core from the
            // very workers about to complete them (Resolve waits PollInterval, sized for real evaluations).
            if (busy.Count == pending.Count) Thread.Sleep(1);
            pending = busy;
        }
        return busyAnswers;
    }

    private static void Check(string location, ISearchSpace space, string[] keys, ConcurrentDictionary<string, int> claims, ConcurrentDictionary<string, double> values)
    {
        foreach (string key in keys)
        {
            int n = claims.GetValueOrDefault(key);
            if (n != 1) throw new InvalidOperationException($"Candidate {key} was claimed {n} times, not once.");
        }
        using var study = Study.Open(location, space);
        var stored = study.Candidates().ToDictionary(c => c.Key);
        if (stored.Count != keys.Length) throw new InvalidOperationException($"The study holds {stored.Count} candidates, not {keys.Length}.");
        foreach (string key in keys)
        {
            if (stored[key].ValidationAccuracy is not { } v)
                throw new InvalidOperationException($"Candidate {key} was never completed.");
            if (v != values[key])
                throw new InvalidOperationException($"Candidate {key} stored {v}, not the value {values[key]} of the worker that claimed it.");
        }
    }
}
