using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Search;
using FormerSearch.Studies;
using FormerSearch.Tests.Search;

namespace FormerSearch.Tests.Studies;

/// <summary>Studies on a real PostgreSQL server (a throwaway cluster): the same rows as SQLite, shared claims, takeovers, errors.</summary>
public sealed class PostgresStudyTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    private static readonly SynthSpace Space = new();
    private static readonly EvolutionSettings Small = SynthSearches.Small;

    private static SearchResult Run(ISearchAlgorithm algorithm, string location, ICandidateEvaluator evaluator, bool resume = false, Action<Study>? setup = null) =>
        EvolutionSearchTests.Run(algorithm, location, evaluator, SynthSearches.Budget, resume, setup);

    [Fact]
    public void The_same_search_on_postgresql_stores_the_same_rows_as_on_sqlite()
    {
        using var dir = new TempDir();
        var onFile = Run(new EvolutionSearch(Small, 5), dir.File("s.db"), new SynthEvaluator());
        var onServer = Run(new EvolutionSearch(Small, 5), cluster.Url("same_rows"), new SynthEvaluator());
        Assert.Equal(onFile.Top.Select(c => c.Key), onServer.Top.Select(c => c.Key));
        var rows = StudyRows.Of(cluster.Url("same_rows"));
        Assert.Equal(StudyRows.Of(dir.File("s.db")), rows);
        Assert.True(rows.Count > Small.Budget, $"only {rows.Count} rows");
        // A finished run replays from the server without a single evaluation.
        var replay = new SynthEvaluator();
        Assert.Equal(onServer.Best.Key, Run(new EvolutionSearch(Small, 5), cluster.Url("same_rows"), replay, resume: true).Best.Key);
        Assert.Equal(0, replay.TotalCalls);
    }

    [Fact]
    public void Four_worker_processes_on_one_study_evaluate_each_candidate_once_and_reach_the_single_worker_result()
    {
        using var dir = new TempDir();
        var reference = Run(new EvolutionSearch(Small, 33), dir.File("ref.db"), new SynthEvaluator());
        string url = cluster.Url("four_workers");
        var outputs = StudyTests.Hosts(4, url, "33", "3");
        Assert.All(outputs, o => Assert.Equal(reference.Best.Key, o[0]));
        // Each evaluation happened exactly once across the four: the counts add up to the budget.
        Assert.Equal(Small.Budget, outputs.Sum(o => int.Parse(o[1], CultureInfo.InvariantCulture)));
        using var study = Study.OpenExisting(url);
        Assert.Equal(Small.Budget, study.Candidates().Count(c => c.Status is "done" or "tested"));
        Assert.Equal(StudyRows.Of(dir.File("ref.db")), StudyRows.Of(url));
    }

    [Fact]
    public void A_worker_killed_while_holding_a_claim_has_it_taken_over()
    {
        string url = cluster.Url("killed");
        using (Study.OpenOrCreate(url, Space)) { }
        using var child = StudyTests.Host(url, "21", "15");
        int done = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (done < 60 && !child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(10);
            using var peek = Study.OpenExisting(url);
            done = peek.Candidates().Count(c => c.ValidationAccuracy is not null);
        }
        if (child.HasExited) Assert.Fail("The worker ended before it could be killed: " + child.StandardError.ReadToEnd());
        child.Kill(entireProcessTree: true);
        child.WaitForExit();
        int doneAtKill;
        using (var after = Study.OpenExisting(url)) doneAtKill = after.Candidates().Count(c => c.ValidationAccuracy is not null);
        Assert.InRange(doneAtKill, 60, Small.Budget - 1);
        var second = new SynthEvaluator();
        using var dir = new TempDir();
        var reference = Run(new EvolutionSearch(Small, 21), dir.File("ref.db"), new SynthEvaluator());
        var resumed = Run(new EvolutionSearch(Small, 21), url, second, resume: true);
        Assert.Equal(reference.Top.Select(c => c.Key), resumed.Top.Select(c => c.Key));
        Assert.Equal(Small.Budget - doneAtKill, second.TotalCalls);
    }

    [Fact]
    public void A_stale_claim_is_taken_over_and_a_live_one_is_kept()
    {
        string url = cluster.Url("stale");
        using var a = Study.OpenOrCreate(url, Space);
        a.HeartbeatInterval = TimeSpan.FromMilliseconds(20);
        var pool = CandidatePool.Begin(new SearchContext { Space = Space, Study = a, Evaluator = new SynthEvaluator() }, new RandomSearch(), "random", 2);
        var live = pool.TryAdmit(Space.Largest(), 0, "random", [])!;
        var dead = pool.TryAdmit(Space.Smallest(), 0, "random", [])!;
        Assert.Equal(ClaimOutcome.Claimed, a.TryClaim(live.Key, ClaimPhase.Validation, out _));
        // A claim from another machine: no process to look up, only its heartbeat tells whether it lives.
        using (var other = Study.Open(url, Space))
        {
            Assert.Equal(ClaimOutcome.Busy, other.TryClaim(live.Key, ClaimPhase.Validation, out _));
            Assert.Equal(ClaimOutcome.Claimed, other.TryClaim(dead.Key, ClaimPhase.Validation, out _));
        }
        using var b = Study.Open(url, Space);
        b.HeartbeatTimeout = TimeSpan.FromMilliseconds(400);
        Assert.Equal(ClaimOutcome.Busy, b.TryClaim(dead.Key, ClaimPhase.Validation, out _));
        using (a.Heartbeat(live.Key))
        {
            Thread.Sleep(800);
            Assert.Equal(ClaimOutcome.Busy, b.TryClaim(live.Key, ClaimPhase.Validation, out _));
            Assert.Equal(ClaimOutcome.Claimed, b.TryClaim(dead.Key, ClaimPhase.Validation, out _));
        }
        Assert.Equal(0.25, b.Complete(dead.Key, ClaimPhase.Validation, 0.25, 0.1));
        Assert.Equal(1.5, a.Complete(live.Key, ClaimPhase.Validation, 1.5, 0.1));
        Assert.Equal(ClaimOutcome.Done, b.TryClaim(live.Key, ClaimPhase.Validation, out double v));
        Assert.Equal(1.5, v);
    }

    [Fact]
    public void Studies_in_one_database_are_told_apart_by_name()
    {
        Run(new RandomSearch(new RandomSearchSettings { Budget = 20 }, 1), cluster.Url("apart_one"), new SynthEvaluator());
        Run(new RandomSearch(new RandomSearchSettings { Budget = 10 }, 2), cluster.Url("apart_two"), new SynthEvaluator());
        using (var one = Study.OpenExisting(cluster.Url("apart_one"))) Assert.Equal(20, one.Candidates().Count);
        using (var two = Study.OpenExisting(cluster.Url("apart_two"))) Assert.Equal(10, two.Candidates().Count);
        Assert.Throws<UserInputException>(() => Study.Create(cluster.Url("apart_one"), Space));
        var missing = Assert.Throws<UserInputException>(() => Study.OpenExisting(cluster.Url("never_started")));
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void Bad_urls_and_unreachable_servers_are_one_sentence_without_the_password()
    {
        var withPassword = Assert.Throws<UserInputException>(() => Study.OpenExisting($"postgresql://former:hunter2@127.0.0.1:{cluster.Port}/postgres?study=x"));
        Assert.Contains("PGPASSWORD", withPassword.Message);
        Assert.DoesNotContain("hunter2", withPassword.Message);
        // However odd the password, no part of it is repeated, malformed URL or not.
        foreach (var odd in new[] { "postgresql://former:hun@ter/2@127.0.0.1/postgres?study=x", "postgresql://former:hun:ter2@127.0.0.1/postgres?study=x" })
        {
            var e = Assert.Throws<UserInputException>(() => Study.OpenExisting(odd));
            Assert.DoesNotContain("hun", e.Message);
            Assert.DoesNotContain("ter2", e.Message);
        }
        Assert.Contains("study=NAME", Assert.Throws<UserInputException>(() => Study.OpenExisting($"postgresql://former@127.0.0.1:{cluster.Port}/postgres")).Message);
        Assert.Contains("study=NAME", Assert.Throws<UserInputException>(() => Study.OpenExisting($"postgresql://former@127.0.0.1:{cluster.Port}/postgres?study=Bad-Name")).Message);
        Assert.Contains("'sslmode'", Assert.Throws<UserInputException>(() => Study.OpenExisting($"postgresql://former@127.0.0.1:{cluster.Port}/postgres?study=x&sslmode=disable")).Message);
        var wrongHost = Assert.Throws<UserInputException>(() => Study.OpenExisting("postgresql://former@no-such-host.invalid/postgres?study=x"));
        Assert.Contains("no-such-host.invalid", wrongHost.Message);
        Assert.Contains("/postgres?", wrongHost.Message);
        OneSentence(wrongHost.Message);
        var wrongDatabase = Assert.Throws<UserInputException>(() => Study.OpenExisting($"postgresql://former@127.0.0.1:{cluster.Port}/nothing_here?study=x"));
        Assert.Contains("nothing_here", wrongDatabase.Message);
        OneSentence(wrongDatabase.Message);
    }

    internal static void OneSentence(string message)
    {
        Assert.InRange(message.Length, 20, 320);
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain(PostgresCluster.Password, message);
        Assert.EndsWith(".", message);
    }
}
