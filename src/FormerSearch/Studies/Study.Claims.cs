using System.Data.Common;

namespace FormerSearch.Studies;

public sealed partial class Study
{
    // The states a candidate row passes through (see Phase).
    private static readonly string[] CandidateStates = ["new", "claimed", "done", "testing", "tested"];

    private static (string Free, string Busy, string Done, string Column, string Seconds) Phase(ClaimPhase phase) => phase switch
    {
        ClaimPhase.Validation => ("new", "claimed", "done", "val_acc", "eval_seconds"),
        _ => ("done", "testing", "tested", "test_acc", "test_seconds"),
    };

    /// <summary>
    /// Tries to claim candidate <paramref name="key"/> (already <see cref="Record">recorded</see>) for evaluation in
    /// <paramref name="phase"/>. <see cref="ClaimOutcome.Done"/> gives the stored result in <paramref name="value"/>;
    /// <see cref="ClaimOutcome.Claimed"/> obliges this worker to <see cref="Complete"/> or <see cref="Release"/>.
    /// A claim by a worker that stopped beating its heartbeat, or whose process on this machine is gone, is taken over.
    /// </summary>
    public ClaimOutcome TryClaim(string key, ClaimPhase phase, out double value)
    {
        var (free, busy, done, column, _) = Phase(phase);
        value = double.NaN;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            using var tx = _db.BeginTransaction();
            string status;
            string? claimant;
            long? heartbeat;
            double? stored;
            long now;
            var row = new StudyRowCheck(Path, "candidates", key);
            using (var cmd = Command(_db, $"SELECT status, claimant, heartbeat, {column}, {_store.Clock} FROM candidates WHERE key = @k{_store.ClaimLock};", tx, [("@k", key)]))
            using (var r = Reading(() => cmd.ExecuteReader()))
            {
                if (!r.Read())
                {
                    r.Close();
                    // Skipped because another worker has the row locked this instant: it is busy, not missing.
                    if (StudyStore.Count(Scalar(_db, "SELECT count(*) FROM candidates WHERE key = @k;", tx, ("@k", key))) > 0) return ClaimOutcome.Busy;
                    throw new InvalidOperationException($"Candidate {key} is not recorded in the study {Path}.");
                }
                status = row.OneOf("status", r.GetValue(0), CandidateStates);
                claimant = row.OptionalText("claimant", r.GetValue(1));
                heartbeat = row.OptionalInteger("heartbeat", r.GetValue(2));
                stored = row.Accuracy(column, r.GetValue(3));
                now = r.GetInt64(4);
            }
            if (stored is { } v && (status == done || phase == ClaimPhase.Validation && status is "done" or "testing" or "tested"))
            {
                value = v;
                return ClaimOutcome.Done;
            }
            if (phase == ClaimPhase.Test && status is "new" or "claimed")
                throw new InvalidOperationException($"Candidate {key} has no validation accuracy yet; test it after validation.");
            bool takeable = status == free
                || status == busy && (claimant == ClaimantId || heartbeat is not { } hb || now - hb > HeartbeatTimeout.TotalMilliseconds
                    || claimant is not null && ProcessIsDead(claimant));
            if (!takeable) return ClaimOutcome.Busy;
            // Compare-and-swap: the update succeeds only if nobody changed the row since it was read (PostgreSQL holds the
            // row locked since then anyway; SQLite's write transaction shuts other writers out).
            int changed = Execute(_db, """
                UPDATE candidates SET status = @busy, claimant = @me, heartbeat = @now
                WHERE key = @k AND status = @s AND claimant IS NOT DISTINCT FROM @c AND heartbeat IS NOT DISTINCT FROM @h;
                """, tx, ("@busy", busy), ("@me", ClaimantId), ("@now", now), ("@k", key), ("@s", status), ("@c", claimant), ("@h", heartbeat));
            tx.Commit();
            if (changed == 1) return ClaimOutcome.Claimed;
        }
        return ClaimOutcome.Busy;
    }

    /// <summary>
    /// Stores the result of a claimed evaluation and returns the stored value: this worker's, or — if its claim was taken
    /// over and the other worker finished first — the other's, so every worker goes on with the same number.
    /// </summary>
    public double Complete(string key, ClaimPhase phase, double value, double seconds)
    {
        var (_, _, done, column, secondsColumn) = Phase(phase);
        using var tx = _db.BeginTransaction();
        Execute(_db, $"""
            UPDATE candidates SET {column} = @v, {secondsColumn} = @sec, status = @done, claimant = NULL, heartbeat = NULL
            WHERE key = @k AND {column} IS NULL;
            """, tx, ("@v", value), ("@sec", seconds), ("@done", done), ("@k", key));
        var stored = new StudyRowCheck(Path, "candidates", key).Accuracy(column, Scalar(_db, $"SELECT {column} FROM candidates WHERE key = @k;", tx, ("@k", key)));
        tx.Commit();
        return stored ?? value;
    }

    /// <summary>Gives up a claim after a failed evaluation, so that it can be evaluated again (by anyone).</summary>
    public void Release(string key, ClaimPhase phase)
    {
        var (free, busy, _, _, _) = Phase(phase);
        Execute(_db, "UPDATE candidates SET status = @free, claimant = NULL, heartbeat = NULL WHERE key = @k AND status = @busy AND claimant = @me;", null,
            ("@free", free), ("@k", key), ("@busy", busy), ("@me", ClaimantId));
    }

    /// <summary>Keeps this worker's claim on <paramref name="key"/> alive (on its own connection) until disposed.</summary>
    public IDisposable Heartbeat(string key) => new ClaimHeartbeat(this, key);

    private sealed class ClaimHeartbeat : IDisposable
    {
        private readonly DbConnection _db;
        private readonly Thread _thread;
        private readonly ManualResetEventSlim _stop = new();
        private readonly string _key;
        private readonly string _me;
        private readonly string _clock;
        private readonly TimeSpan _interval;

        public ClaimHeartbeat(Study study, string key)
        {
            _db = study._store.Connect(create: false);
            _key = key;
            _me = study.ClaimantId;
            _clock = study._store.Clock;
            _interval = study.HeartbeatInterval;
            // Its own thread, not a thread-pool timer: a busy pool (evaluation, tests) must not delay the beats past the timeout.
            _thread = new Thread(Run) { IsBackground = true, Name = "study heartbeat" };
            _thread.Start();
        }

        private void Run()
        {
            while (!_stop.Wait(_interval))
            {
                try
                {
                    Execute(_db, $"UPDATE candidates SET heartbeat = {_clock} WHERE key = @k AND claimant = @me;", null, ("@k", _key), ("@me", _me));
                }
                catch (DbException)
                {
                    // A missed beat only risks a takeover after the timeout; the next beat tries again.
                }
            }
        }

        public void Dispose()
        {
            _stop.Set();
            _thread.Join();
            _stop.Dispose();
            _db.Dispose();
        }
    }
}
