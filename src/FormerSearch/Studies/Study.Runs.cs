using System.Globalization;
using FormerSearch.Search;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Studies;

public sealed partial class Study
{
    /// <summary>
    /// Starts run <paramref name="name"/>, or joins it when <paramref name="resume"/> is set and its algorithm, settings and
    /// seed are the ones recorded (another worker, or a resume after a crash).
    /// </summary>
    /// <exception cref="UserInputException">The run exists and <paramref name="resume"/> is false, or it was started with other settings.</exception>
    public void BeginRun(string name, string algorithm, string settings, ulong seed, bool resume)
    {
        using var tx = _db.BeginTransaction();
        _store.LockRuns(_db, tx);
        using (var cmd = Command(_db, "SELECT algorithm, settings, seed FROM runs WHERE name = @n;", tx, [("@n", name)]))
        using (var r = cmd.ExecuteReader())
        {
            if (r.Read())
            {
                if (!resume) throw new UserInputException($"The study {Path} already has a run '{name}'; pass --resume to continue it, or use another study file.");
                var row = new StudyRowCheck(Path, "runs", name);
                string a = row.Text("algorithm", r.GetValue(0)), s = row.Text("settings", r.GetValue(1)), seedText = row.Text("seed", r.GetValue(2));
                if (a != algorithm) throw new UserInputException($"The study {Path}'s run '{name}' is a {a} search, not {algorithm}.");
                if (seedText != seed.ToString(CultureInfo.InvariantCulture)) throw new UserInputException($"The study {Path}'s run '{name}' was started with seed {seedText}, not {seed}.");
                if (s != settings) throw new UserInputException($"The study {Path}'s run '{name}' was started with other settings ({s}), not {settings}.");
                return;
            }
        }
        Execute(_db, "INSERT INTO runs(name, algorithm, settings, seed, state, started) VALUES (@n, @a, @s, @seed, 'running', @t);", tx,
            ("@n", name), ("@a", algorithm), ("@s", settings), ("@seed", seed.ToString(CultureInfo.InvariantCulture)), ("@t", Now()));
        tx.Commit();
    }

    /// <summary>
    /// Records that run <paramref name="run"/> admitted <paramref name="candidate"/> as its <paramref name="ordinal"/>-th
    /// candidate (idempotent: replays and other workers write the same rows).
    /// </summary>
    /// <exception cref="UserInputException">The study holds another candidate at that position: the run cannot be replayed (other evaluator, supernet or code).</exception>
    public void Record(string run, int ordinal, Candidate candidate)
    {
        using var tx = _db.BeginTransaction();
        string parents = JoinKeys(candidate.Parents);
        Execute(_db, """
            INSERT INTO candidates(key, arch_json, params, macs, latency, generation, parents, run, status)
            VALUES (@k, @j, @p, @m, @l, @g, @par, @r, 'new') ON CONFLICT DO NOTHING;
            """, tx, ("@k", candidate.Key), ("@j", candidate.Architecture.ToJson()), ("@p", candidate.Params), ("@m", candidate.Macs),
            ("@l", candidate.Latency), ("@g", candidate.Generation), ("@par", parents), ("@r", run));
        Execute(_db, "INSERT INTO run_candidates(run, ordinal, key, generation, origin, parents) VALUES (@r, @o, @k, @g, @or, @par) ON CONFLICT DO NOTHING;", tx,
            ("@r", run), ("@o", ordinal), ("@k", candidate.Key), ("@g", candidate.Generation), ("@or", candidate.Origin), ("@par", parents));
        var stored = (string?)Scalar(_db, "SELECT key FROM run_candidates WHERE run = @r AND ordinal = @o;", tx, ("@r", run), ("@o", ordinal));
        if (stored != candidate.Key)
            throw new UserInputException($"The study {Path}'s run '{run}' drew {stored} as candidate {ordinal}, but this run draws {candidate.Key}: it was made with another evaluator, supernet or code and cannot be resumed.");
        tx.Commit();
    }

    /// <summary>Records run <paramref name="run"/>'s state after generation <paramref name="generation"/>.</summary>
    public void RecordGeneration(string run, int generation, IEnumerable<string> population, IEnumerable<string> top, double bestAccuracy)
    {
        Execute(_db, """
            INSERT INTO generations(run, generation, population, top, best_acc) VALUES (@r, @g, @p, @t, @b)
            ON CONFLICT(run, generation) DO UPDATE SET population = excluded.population, top = excluded.top, best_acc = excluded.best_acc;
            """, null,
            ("@r", run), ("@g", generation), ("@p", JoinKeys(population)), ("@t", JoinKeys(top)), ("@b", bestAccuracy));
    }

    /// <summary>Marks run <paramref name="run"/> finished with its result summary.</summary>
    public void FinishRun(string run, string resultJson) =>
        Execute(_db, "UPDATE runs SET state = 'finished', result = @res, finished = coalesce(finished, @t) WHERE name = @r;", null,
            ("@r", run), ("@res", resultJson), ("@t", Now()));

    /// <summary>The stored latency of <paramref name="key"/>, if measured.</summary>
    public double? Latency(string key) =>
        new StudyRowCheck(Path, "latencies", key).NonNegative("value", Scalar(_db, "SELECT value FROM latencies WHERE key = @k;", null, ("@k", key)));

    /// <summary>Stores a measured latency unless one is already stored, and returns the stored one (the first measurement wins).</summary>
    public double StoreLatency(string key, double value)
    {
        Execute(_db, "INSERT INTO latencies(key, value) VALUES (@k, @v) ON CONFLICT DO NOTHING;", null, ("@k", key), ("@v", value));
        return Latency(key) ?? value;
    }

    /// <summary>Every run, in the order they were started.</summary>
    public IReadOnlyList<StudyRun> Runs() => Reading(() =>
    {
        var list = new List<StudyRun>();
        using var cmd = Command(_db, "SELECT name, algorithm, settings, seed, state, result FROM runs ORDER BY started, name;", null, []);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var row = new StudyRowCheck(Path, "runs", r.GetValue(0) as string ?? "?");
            list.Add(new StudyRun(row.Text("name", r.GetValue(0)), row.Text("algorithm", r.GetValue(1)), row.JsonObject("settings", r.GetValue(2)),
                row.Seed("seed", r.GetValue(3)), row.OneOf("state", r.GetValue(4), "running", "finished"),
                r.IsDBNull(5) ? null : row.JsonObject("result", r.GetValue(5))));
        }
        return list;
    });

    /// <summary>Every candidate of the study, in the order they were first drawn.</summary>
    public IReadOnlyList<StudyCandidate> Candidates() => Reading(() =>
    {
        var list = new List<StudyCandidate>();
        using var cmd = Command(_db, $"""
            SELECT key, arch_json, params, macs, latency, val_acc, test_acc, generation, parents, run, status, claimant
            FROM candidates ORDER BY {_store.FirstDrawnOrder};
            """, null, []);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            string key = r.GetValue(0) as string ?? "?";
            var row = new StudyRowCheck(Path, "candidates", key);
            list.Add(new StudyCandidate(row.Text("key", r.GetValue(0)), row.Architecture("arch_json", r.GetValue(1), key), row.Integer("params", r.GetValue(2)),
                row.Integer("macs", r.GetValue(3)), row.NonNegative("latency", r.GetValue(4)), row.Accuracy("val_acc", r.GetValue(5)),
                row.Accuracy("test_acc", r.GetValue(6)), row.Int32("generation", r.GetValue(7)), row.Keys("parents", r.GetValue(8)), row.Text("run", r.GetValue(9)),
                row.OneOf("status", r.GetValue(10), CandidateStates), row.OptionalText("claimant", r.GetValue(11))));
        }
        return list;
    });

    /// <summary>The candidates run <paramref name="run"/> drew, in its order.</summary>
    public IReadOnlyList<StudyMember> Members(string run) => Reading(() =>
    {
        var list = new List<StudyMember>();
        using var cmd = Command(_db, "SELECT ordinal, key, generation, origin, parents FROM run_candidates WHERE run = @r ORDER BY ordinal;", null, [("@r", run)]);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var row = new StudyRowCheck(Path, "run_candidates", $"{run} #{r.GetValue(0)}");
            list.Add(new StudyMember(row.Int32("ordinal", r.GetValue(0)), row.Text("key", r.GetValue(1)), row.Int32("generation", r.GetValue(2)),
                row.Text("origin", r.GetValue(3)), row.Keys("parents", r.GetValue(4))));
        }
        return list;
    });

    /// <summary>Run <paramref name="run"/>'s state per generation.</summary>
    public IReadOnlyList<StudyGeneration> Generations(string run) => Reading(() =>
    {
        var list = new List<StudyGeneration>();
        using var cmd = Command(_db, "SELECT generation, population, top, best_acc FROM generations WHERE run = @r ORDER BY generation;", null, [("@r", run)]);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var row = new StudyRowCheck(Path, "generations", $"{run} #{r.GetValue(0)}");
            list.Add(new StudyGeneration(row.Int32("generation", r.GetValue(0)), row.Keys("population", r.GetValue(1)), row.Keys("top", r.GetValue(2)),
                row.Accuracy("best_acc", r.GetValue(3)) ?? throw new UserInputException($"The study {Path} is damaged: generation {r.GetValue(0)} of run {InputText.Quote(run)} has no best_acc.")));
        }
        return list;
    });
}
