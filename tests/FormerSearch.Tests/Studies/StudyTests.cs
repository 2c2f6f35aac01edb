using FormerSearch.Engine;
using FormerSearch.Search;
using FormerSearch.Studies;
using FormerSearch.Tests.Search;
using FormerSearch.Tests.Supernets;

namespace FormerSearch.Tests.Studies;

public sealed class StudyTests
{
    private static readonly SynthSpace Space = new();
    private static readonly EvolutionSettings Small = SynthSearches.Small;

    private static SearchResult Run(ISearchAlgorithm algorithm, string path, ICandidateEvaluator evaluator, bool resume = false, Action<Study>? setup = null) =>
        EvolutionSearchTests.Run(algorithm, path, evaluator, SynthSearches.Budget, resume, setup);

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(131)]
    [InlineData(179)]
    public void A_search_that_crashed_resumes_to_the_result_of_an_uninterrupted_run(int failAt)
    {
        using var dir = new TempDir();
        var reference = Run(new EvolutionSearch(Small, 5), dir.File("ref.db"), new SynthEvaluator());
        var first = new SynthEvaluator { FailAt = failAt };
        Assert.Throws<IOException>(() => Run(new EvolutionSearch(Small, 5), dir.File("s.db"), first));
        // Resuming without --resume is refused; with other settings too.
        Assert.Throws<UserInputException>(() => Run(new EvolutionSearch(Small, 5), dir.File("s.db"), new SynthEvaluator()));
        var other = Assert.Throws<UserInputException>(() => Run(new EvolutionSearch(Small, 6), dir.File("s.db"), new SynthEvaluator(), resume: true));
        Assert.Contains("seed", other.Message);
        Assert.Throws<UserInputException>(() => Run(new EvolutionSearch(Small with { Parents = 9 }, 5), dir.File("s.db"), new SynthEvaluator(), resume: true));

        var second = new SynthEvaluator();
        var resumed = Run(new EvolutionSearch(Small, 5), dir.File("s.db"), second, resume: true);
        Assert.Equal(reference.Top.Select(c => c.Key), resumed.Top.Select(c => c.Key));
        Assert.Equal(reference.BestPerGeneration, resumed.BestPerGeneration);
        // Nothing evaluated twice: the crashed run's finished work was replayed from the study.
        Assert.Equal(Small.Budget, first.Calls.Count + second.TotalCalls);
        Assert.Empty(first.Calls.Keys.Intersect(second.Calls.Keys));
        // Resuming a finished run replays it entirely.
        var third = new SynthEvaluator();
        var again = Run(new EvolutionSearch(Small, 5), dir.File("s.db"), third, resume: true);
        Assert.Equal(0, third.TotalCalls);
        Assert.Equal(reference.Best.Key, again.Best.Key);
    }

    [Fact]
    public void A_search_killed_with_sigkill_resumes_to_the_result_of_an_uninterrupted_run()
    {
        using var dir = new TempDir();
        string path = dir.File("killed.db");
        var reference = Run(new EvolutionSearch(Small, 21), dir.File("ref.db"), new SynthEvaluator());
        using var child = Host(path, "21", "15"); // 15 ms a candidate: a wide window to kill it in, even on a loaded machine
        int done = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (done < 60 && !child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(10);
            if (!File.Exists(path)) continue;
            try
            {
                using var peek = Study.OpenExisting(path);
                done = peek.Candidates().Count(c => c.ValidationAccuracy is not null);
            }
            catch (UserInputException)
            {
                // The child is still creating the file.
            }
        }
        if (child.HasExited) Assert.Fail("The search ended before it could be killed: " + child.StandardError.ReadToEnd());
        child.Kill(entireProcessTree: true); // SIGKILL on Linux (to the muxer and the app, whichever runs it): no handler, no cleanup.
        child.WaitForExit();
        int doneAtKill;
        using (var after = Study.OpenExisting(path)) doneAtKill = after.Candidates().Count(c => c.ValidationAccuracy is not null);
        Assert.InRange(doneAtKill, 60, Small.Budget - 1);

        var second = new SynthEvaluator();
        var resumed = Run(new EvolutionSearch(Small, 21), path, second, resume: true);
        Assert.Equal(reference.Top.Select(c => c.Key), resumed.Top.Select(c => c.Key));
        Assert.Equal(reference.BestPerGeneration, resumed.BestPerGeneration);
        // The killed process's finished evaluations were replayed, its pending claim taken over at once (its process is gone).
        Assert.Equal(Small.Budget - doneAtKill, second.TotalCalls);
    }

    [Fact]
    public void Two_processes_started_together_on_a_new_study_share_the_work_and_agree()
    {
        using var dir = new TempDir();
        string path = dir.File("shared.db");
        var reference = Run(new EvolutionSearch(Small, 33), dir.File("ref.db"), new SynthEvaluator());
        var outputs = Hosts(2, path, "33", "3");
        Assert.All(outputs, o => Assert.Equal(reference.Best.Key, o[0]));
        var calls = outputs.Select(o => int.Parse(o[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Small.Budget, calls.Sum());
        Assert.All(calls, c => Assert.True(c > 0, $"a worker made no evaluation: {string.Join(", ", calls)}"));
    }

    // Runs `count` hosts together on one study and returns each one's output lines (best key, evaluations it made).
    internal static List<string[]> Hosts(int count, string path, string seed, string delayMs)
    {
        var children = Enumerable.Range(0, count).Select(_ => Host(path, seed, delayMs)).ToList();
        var outputs = children.Select(c => c.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        foreach (var c in children)
        {
            c.WaitForExit();
            Assert.True(c.ExitCode == 0, c.StandardError.ReadToEnd());
            c.Dispose();
        }
        return outputs;
    }

    internal static System.Diagnostics.Process Host(string path, string seed, string delayMs)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { typeof(SynthSearches).Assembly.Location, path, seed, delayMs }) start.ArgumentList.Add(a);
        return System.Diagnostics.Process.Start(start)!;
    }

    [Fact]
    public void Two_workers_on_one_study_evaluate_each_candidate_once_and_agree()
    {
        using var dir = new TempDir();
        string path = dir.File("shared.db");
        using (Study.OpenOrCreate(path, Space)) { }
        var evaluator = new SynthEvaluator { DelayMs = 2 };
        var results = new SearchResult[2];
        var workers = Enumerable.Range(0, 2).Select(w => new Thread(() =>
            results[w] = Run(new EvolutionSearch(Small, 11), path, evaluator, resume: true, setup: s => s.PollInterval = TimeSpan.FromMilliseconds(5)))).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        Assert.Equal(Small.Budget, evaluator.TotalCalls);
        Assert.All(evaluator.Calls.Values, c => Assert.Equal(1, c));
        Assert.Equal(results[0].Top.Select(c => c.Key), results[1].Top.Select(c => c.Key));
        using var study = Study.Open(path, Space);
        Assert.Equal(Small.Budget, study.Candidates().Count(c => c.Status is "done" or "tested"));
        // Both did work: the claims spread the evaluations.
        var reference = Run(new EvolutionSearch(Small, 11), dir.File("ref.db"), new SynthEvaluator());
        Assert.Equal(reference.Top.Select(c => c.Key), results[0].Top.Select(c => c.Key));
    }

    [Fact]
    public void A_dead_workers_claim_is_taken_over_after_its_heartbeat_times_out()
    {
        using var dir = new TempDir();
        string path = dir.File("s.db");
        var algorithm = new RandomSearch(new RandomSearchSettings { Budget = 40, BatchSize = 20 }, 3);
        // Worker A claims the first candidate and dies without releasing it (no heartbeat ever again).
        using (var a = Study.OpenOrCreate(path, Space))
        {
            var pool = CandidatePool.Begin(new SearchContext { Space = Space, Study = a, Evaluator = new SynthEvaluator(), Constraints = SynthSearches.Budget }, algorithm, "random", 40);
            // The search's own first candidate: the same generator, drawn until one is inside the constraints.
            var rng = new FormerSearch.Engine.Generator(3);
            Candidate? c = null;
            while (c is null) c = pool.TryAdmit(Space.Sample(rng), 0, "random", []);
            Assert.Equal(ClaimOutcome.Claimed, a.TryClaim(c.Key, ClaimPhase.Validation, out _));
            using var other = Study.Open(path, Space);
            Assert.Equal(ClaimOutcome.Busy, other.TryClaim(c.Key, ClaimPhase.Validation, out _));
        }
        var evaluator = new SynthEvaluator();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Run(algorithm, path, evaluator, resume: true, setup: s => { s.HeartbeatTimeout = TimeSpan.FromMilliseconds(300); s.PollInterval = TimeSpan.FromMilliseconds(20); });
        Assert.True(clock.ElapsedMilliseconds >= 250);
        Assert.Equal(40, result.Evaluated);
        Assert.Equal(40, evaluator.TotalCalls);
    }

    [Fact]
    public void A_live_workers_heartbeat_keeps_its_claim()
    {
        using var dir = new TempDir();
        string path = dir.File("s.db");
        using var a = Study.OpenOrCreate(path, Space);
        a.HeartbeatInterval = TimeSpan.FromMilliseconds(20);
        var pool = CandidatePool.Begin(new SearchContext { Space = Space, Study = a, Evaluator = new SynthEvaluator() }, new RandomSearch(), "random", 1);
        var c = pool.TryAdmit(Space.Largest(), 0, "random", [])!;
        Assert.Equal(ClaimOutcome.Claimed, a.TryClaim(c.Key, ClaimPhase.Validation, out _));
        using var b = Study.Open(path, Space);
        b.HeartbeatTimeout = TimeSpan.FromMilliseconds(600);
        using (a.Heartbeat(c.Key))
        {
            // Three times the timeout: without the beats the claim would be taken over.
            for (int i = 0; i < 12; i++)
            {
                Thread.Sleep(150);
                Assert.Equal(ClaimOutcome.Busy, b.TryClaim(c.Key, ClaimPhase.Validation, out _));
            }
        }
        Assert.Equal(1.5, a.Complete(c.Key, ClaimPhase.Validation, 1.5, 0.1));
        Assert.Equal(ClaimOutcome.Done, b.TryClaim(c.Key, ClaimPhase.Validation, out double v));
        Assert.Equal(1.5, v);
    }

    [Fact]
    public void Another_space_or_a_file_that_is_no_study_is_refused_without_damage()
    {
        using var dir = new TempDir();
        string path = dir.File("s.db");
        Run(new RandomSearch(new RandomSearchSettings { Budget = 20 }), path, new SynthEvaluator());
        var e = Assert.Throws<UserInputException>(() => Study.Open(path, new ToySpace()));
        Assert.Contains("synth/test", e.Message);
        Assert.Throws<UserInputException>(() => Study.Create(path, Space));
        string junk = dir.File("junk.db");
        File.WriteAllText(junk, "not a database at all, just text that is long enough to look like a header....................");
        byte[] before = File.ReadAllBytes(junk);
        Assert.Throws<UserInputException>(() => Study.OpenExisting(junk));
        Assert.Throws<UserInputException>(() => Study.OpenOrCreate(junk, Space));
        Assert.Equal(before, File.ReadAllBytes(junk));
        Assert.Throws<UserInputException>(() => Study.OpenExisting(dir.File("missing.db")));
        using var study = Study.OpenExisting(path);
        Assert.Equal("synth", study.SpaceName);
        Assert.Single(study.Runs());
        Assert.Equal("finished", study.Runs()[0].State);
    }
}
