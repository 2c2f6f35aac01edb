using System.Diagnostics;
using System.Text.Json.Nodes;
using FormerSearch.Engine;
using FormerSearch.Spaces;
using FormerSearch.Studies;

namespace FormerSearch.Search;

/// <summary>
/// One run's view of the study: admits drawn architectures (canonical form, not seen before in the run, inside the
/// constraints) and evaluates batches of them through the study's claims, so that results are memoised, shared between
/// workers and replayed on resume. Every algorithm draws through one of these.
/// </summary>
public sealed class CandidatePool
{
    private readonly SearchContext _context;
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Params, long Macs)> _costs = new(StringComparer.Ordinal);
    private readonly int _budget;
    private int _ordinal;
    private MemoisedMeter? _meter;

    private CandidatePool(SearchContext context, string run, int budget)
    {
        _context = context;
        Run = run;
        _budget = budget;
    }

    /// <summary>The run's name in the study.</summary>
    public string Run { get; }

    /// <summary>Candidates admitted so far.</summary>
    public int Admitted => _ordinal;

    /// <summary>Candidates with a validation accuracy so far.</summary>
    public int Evaluated { get; private set; }

    /// <summary>Best validation accuracy so far, or null.</summary>
    public double? BestAccuracy { get; private set; }

    /// <summary>The search space.</summary>
    public ISearchSpace Space => _context.Space;

    /// <summary>
    /// Checks the constraints against the space and starts (or, with <see cref="SearchContext.Resume"/>, joins) run
    /// <paramref name="run"/> (default: the algorithm's name) of <paramref name="algorithm"/>, which will evaluate at most
    /// <paramref name="budget"/> candidates.
    /// </summary>
    /// <exception cref="Engine.UserInputException">Constraints no architecture meets; the run exists without resume, or with other settings.</exception>
    public static CandidatePool Begin(SearchContext context, ISearchAlgorithm algorithm, string? run, int budget)
    {
        string name = KindNames.Of(algorithm.Kind);
        var options = context.ResolvedCostOptions;
        var meter = context.LatencyMeter is { } inner ? new MemoisedMeter(context, inner) : null;
        context.Constraints.Validate(context.Space, options, meter);
        var settings = new JsonObject
        {
            ["algorithm"] = name,
            ["settings"] = algorithm.Settings,
            ["constraints"] = context.Constraints.ToJson(),
            ["input"] = options.Input.ToString(),
            ["num_classes"] = options.NumClasses,
            ["latency_unit"] = context.LatencyMeter?.Unit,
        };
        context.Study.BeginRun(run ?? name, name, settings.ToJsonString(), algorithm.Seed, context.Resume);
        return new CandidatePool(context, run ?? name, budget) { _meter = meter };
    }

    /// <summary>True when the run has already admitted <paramref name="architecture"/> (canonical key).</summary>
    public bool Seen(Architecture architecture) => _visited.Contains(architecture.Key);

    /// <summary>
    /// Admits <paramref name="architecture"/> as a candidate of <paramref name="generation"/>, or returns null when it is
    /// invalid for the space, already in the run, or outside the constraints (the caller draws again).
    /// </summary>
    public Candidate? TryAdmit(Architecture architecture, int generation, string origin, IReadOnlyList<string> parents)
    {
        Architecture canonical;
        try
        {
            canonical = _context.Space.Validate(architecture);
        }
        catch (UserInputException)
        {
            return null; // the space refuses it (a mutant or child outside its rules): the caller draws another
        }
        string key = canonical.Key;
        if (_visited.Contains(key)) return null;
        if (!_costs.TryGetValue(key, out var cost))
        {
            var profile = _context.Space.Profile(canonical, _context.ResolvedCostOptions);
            _costs[key] = cost = (profile.Params, profile.Macs);
        }
        var limits = _context.Constraints;
        if (!limits.Params.Contains(cost.Params) || !limits.Macs.Contains(cost.Macs)) return null;
        double? latency = null;
        if (_meter is { } meter) latency = meter.Measure(canonical);
        if (!limits.Admits(cost.Params, cost.Macs, latency)) return null;
        _visited.Add(key);
        var candidate = new Candidate(canonical, cost.Params, cost.Macs, latency, generation, origin, parents);
        _context.Study.Record(Run, _ordinal++, candidate);
        return candidate;
    }

    /// <summary>
    /// Gives every candidate of <paramref name="batch"/> its validation accuracy: from the study when known, else by claiming
    /// and evaluating it; candidates claimed by other workers are polled until their result is stored (or their claim goes
    /// stale and is taken over).
    /// </summary>
    public void Evaluate(IReadOnlyList<Candidate> batch, int generation) => Resolve(batch, generation, ClaimPhase.Validation);

    /// <summary>Test accuracies for <paramref name="top"/> when the evaluator has a test set (memoised and claimed like validation).</summary>
    public void Test(IReadOnlyList<Candidate> top)
    {
        if (_context.Evaluator.HasTestSet) Resolve(top, -1, ClaimPhase.Test);
    }

    /// <summary>Records the run's state after <paramref name="generation"/>.</summary>
    public void EndGeneration(int generation, IEnumerable<Candidate> population, IReadOnlyList<Candidate> top)
    {
        double best = BestAccuracy ?? double.NaN;
        _context.Study.RecordGeneration(Run, generation, population.Select(c => c.Key), top.Select(c => c.Key), best);
    }

    /// <summary>Marks the run finished with <paramref name="result"/>.</summary>
    public SearchResult Finish(SearchResult result)
    {
        _context.Study.FinishRun(Run, result.ToJson().ToJsonString());
        return result;
    }

    private void Resolve(IReadOnlyList<Candidate> batch, int generation, ClaimPhase phase)
    {
        var study = _context.Study;
        var pending = new List<Candidate>();
        foreach (var c in batch)
            if ((phase == ClaimPhase.Validation ? c.ValidationAccuracy : c.TestAccuracy) is null) pending.Add(c);
        while (pending.Count > 0)
        {
            var busy = new List<Candidate>();
            foreach (var c in pending)
            {
                switch (study.TryClaim(c.Key, phase, out double value))
                {
                    case ClaimOutcome.Done:
                        Store(c, phase, value, generation, fromStudy: true);
                        break;
                    case ClaimOutcome.Claimed:
                        Store(c, phase, EvaluateClaimed(c, phase), generation, fromStudy: false);
                        break;
                    default:
                        busy.Add(c);
                        break;
                }
            }
            if (busy.Count > 0) Thread.Sleep(study.PollInterval);
            pending = busy;
        }
    }

    private double EvaluateClaimed(Candidate c, ClaimPhase phase)
    {
        var study = _context.Study;
        var clock = Stopwatch.StartNew();
        double value;
        try
        {
            using (study.Heartbeat(c.Key))
                value = phase == ClaimPhase.Validation ? _context.Evaluator.ValidationAccuracy(c.Architecture) : _context.Evaluator.TestAccuracy(c.Architecture);
            if (!double.IsFinite(value)) throw new InvalidOperationException($"The evaluator returned {value} for {c.Key}; an accuracy must be a finite number.");
        }
        catch
        {
            study.Release(c.Key, phase);
            throw;
        }
        return study.Complete(c.Key, phase, value, clock.Elapsed.TotalSeconds);
    }

    private void Store(Candidate c, ClaimPhase phase, double value, int generation, bool fromStudy)
    {
        if (phase == ClaimPhase.Test)
        {
            c.TestAccuracy = value;
            return;
        }
        c.ValidationAccuracy = value;
        Evaluated++;
        // A NaN would stick as the best (every comparison with it is false); a non-finite accuracy is never the best.
        if (double.IsFinite(value) && (BestAccuracy is not { } b || value > b)) BestAccuracy = value;
        _context.Progress?.Invoke(new SearchEvent(Run, generation, Evaluated, _budget, BestAccuracy, fromStudy));
    }

    /// <summary>Latency measured once per architecture and study: the first stored measurement is the one every worker uses.</summary>
    private sealed class MemoisedMeter(SearchContext context, ILatencyMeter inner) : ILatencyMeter
    {
        public string Unit => inner.Unit;

        public double Measure(Architecture architecture)
        {
            var canonical = context.Space.Validate(architecture);
            return context.Study.Latency(canonical.Key) ?? context.Study.StoreLatency(canonical.Key, inner.Measure(canonical));
        }
    }
}
