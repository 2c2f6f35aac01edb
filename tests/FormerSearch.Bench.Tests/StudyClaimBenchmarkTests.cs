using FormerSearch.Bench;
using FormerSearch.Engine;
using FormerSearch.Tests.Studies;

namespace FormerSearch.Bench.Tests;

public sealed class StudyClaimBenchmarkTests
{
    [Fact]
    public void Sqlite_workers_complete_every_candidate_once()
    {
        string dir = Directory.CreateTempSubdirectory("former-claim-bench-").FullName;
        try
        {
            string path = Path.Combine(dir, "claims.db");
            var r = StudyClaimBenchmark.Run(path, workers: 2, candidates: 50);
            Assert.Equal(("sqlite", 2, 50), (r.Store, r.Workers, r.Candidates));
            Assert.True(r.ClaimsPerSecond > 0 && r.Seconds > 0);
            Assert.Equal(50 / r.Seconds, r.ClaimsPerSecond, 1e-9);
            // A second measurement into the same file is refused rather than mixed with the first.
            Assert.Throws<UserInputException>(() => StudyClaimBenchmark.Run(path, workers: 1, candidates: 5));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Postgres_workers_complete_every_candidate_once()
    {
        using var cluster = new PostgresCluster();
        string url = StudyClaimBenchmark.WithTimestamp(cluster.Url("claims"), new DateTime(2026, 12, 4, 22, 30, 1, DateTimeKind.Utc));
        Assert.Equal(cluster.Url("claims_20261204223001"), url);
        var r = StudyClaimBenchmark.Run(url, workers: 3, candidates: 40);
        Assert.Equal(("postgresql", 3, 40), (r.Store, r.Workers, r.Candidates));
        Assert.True(r.ClaimsPerSecond > 0);
    }

    [Fact]
    public void A_timestamp_is_appended_to_a_server_study_name_only()
    {
        var t = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        Assert.Equal("postgresql://u@h:5432/db?study=x_20260102030405", StudyClaimBenchmark.WithTimestamp("postgresql://u@h:5432/db?study=x", t));
        string longName = new('a', 60);
        Assert.Equal($"postgresql://u@h/db?study={new string('a', 48)}_20260102030405", StudyClaimBenchmark.WithTimestamp($"postgresql://u@h/db?study={longName}", t));
        Assert.Equal("/tmp/s.db", StudyClaimBenchmark.WithTimestamp("/tmp/s.db", t));
    }
}
