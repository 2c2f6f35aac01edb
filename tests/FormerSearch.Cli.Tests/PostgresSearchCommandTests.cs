using System.Text.Json;
using FormerSearch.Spaces;
using FormerSearch.Studies;
using FormerSearch.Tests.Studies;

namespace FormerSearch.Cli.Tests;

/// <summary><c>former search</c>, <c>report</c> and <c>--workers-only</c> on a study in a throwaway PostgreSQL cluster.</summary>
public sealed class PostgresSearchCommandTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("former-pg-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_search_on_postgresql_stores_what_sqlite_stores_reports_it_and_takes_workers()
    {
        string spec = NpyFiles.RandomDataset(_dir, 160, 3);
        string trained = Path.Combine(_dir, "sn");
        var train = FormerProcess.Run("supernet", "train", "--space", "burger", "--sampler", "spos", "--dataset", spec, "--val-size", "40", "--max-steps", "2",
            "--batch-size", "16", "--seed", "5", "--output", trained, "--threads", "1", "--no-progress");
        Assert.True(train.ExitCode == 0, train.StdErr);
        string[] search = ["search", "--preset", "quick", "--supernet", trained, "--algorithm", "random", "--population", "4", "--generations", "2",
            "--finetune-epochs", "0", "--dataset", spec, "--threads", "1", "--json"];
        var onFile = FormerProcess.Run([.. search, "--output", Path.Combine(_dir, "file")]);
        Assert.True(onFile.ExitCode == 0, onFile.StdErr);

        // A worker waiting on an empty study joins the search once it starts the run; together they store what SQLite stores.
        string url = cluster.Url("cli_search");
        using (Study.OpenOrCreate(url, SearchSpaces.Create("burger", "mini"))) { }
        using var worker = FormerProcess.Start(cluster.ChildEnvironment, [.. search, "--output", Path.Combine(_dir, "worker"), "--study", url, "--workers-only"]);
        var onServer = FormerProcess.Run(cluster.ChildEnvironment, [.. search, "--output", Path.Combine(_dir, "server"), "--study", url]);
        Assert.True(onServer.ExitCode == 0, onServer.StdErr);
        Assert.True(worker.WaitForExit(TimeSpan.FromMinutes(2)), "the worker did not finish");
        string workerOut = worker.StandardOutput.ReadToEnd();
        Assert.True(worker.ExitCode == 0, worker.StandardError.ReadToEnd());
        Assert.Equal(StudyRows.Of(Path.Combine(_dir, "file", "study.sqlite")), StudyRows.Of(url));
        using (var file = JsonDocument.Parse(onFile.StdOut))
        using (var server = JsonDocument.Parse(onServer.StdOut))
            Assert.Equal(file.RootElement.GetProperty("best").GetProperty("key").GetString(), server.RootElement.GetProperty("best").GetProperty("key").GetString());
        using (var joined = JsonDocument.Parse(workerOut))
        {
            Assert.Equal(8, joined.RootElement.GetProperty("evaluated").GetInt32());
            Assert.InRange(joined.RootElement.GetProperty("evaluated_here").GetInt32(), 0, 8);
            Assert.Equal(url, joined.RootElement.GetProperty("study").GetString());
        }
        // A worker joining after the end replays the run and evaluates nothing.
        var late = FormerProcess.Run(cluster.ChildEnvironment, [.. search, "--output", Path.Combine(_dir, "late"), "--study", url, "--workers-only"]);
        Assert.True(late.ExitCode == 0, late.StdErr);
        using (var replayed = JsonDocument.Parse(late.StdOut)) Assert.Equal(0, replayed.RootElement.GetProperty("evaluated_here").GetInt32());

        string html = Path.Combine(_dir, "report.html");
        var report = FormerProcess.Run(cluster.ChildEnvironment, "report", "--study", url, "--output", html);
        Assert.True(report.ExitCode == 0, report.StdErr);
        using (var study = Study.OpenExisting(url)) Assert.Contains(study.Candidates()[0].Key, File.ReadAllText(html));

        var missing = FormerProcess.Run(cluster.ChildEnvironment, [.. search, "--output", Path.Combine(_dir, "none"), "--study", cluster.Url("never_started"), "--workers-only"]);
        Refused(missing, "does not exist");
    }

    [Fact]
    public void A_password_in_the_url_or_a_wrong_host_or_password_is_one_sentence_and_exit_code_2()
    {
        string[] search = ["search", "--dataset", "npy:/nothing/x.npy,/nothing/y.npy", "--output", Path.Combine(_dir, "bad")];
        Refused(FormerProcess.Run(cluster.ChildEnvironment, [.. search, "--study", $"postgresql://former:hunter2@127.0.0.1:{cluster.Port}/postgres?study=x"]), "PGPASSWORD");
        Refused(FormerProcess.Run(cluster.ChildEnvironment, [.. search, "--study", "postgresql://former@no-such-host.invalid:5432/postgres?study=x"]), "no-such-host.invalid");
        var wrongPassword = new Dictionary<string, string> { ["PGPASSWORD"] = "not-the-password" };
        Refused(FormerProcess.Run(wrongPassword, "report", "--study", cluster.Url("x"), "--output", Path.Combine(_dir, "r.html")), "password authentication failed");
        Refused(FormerProcess.Run(cluster.ChildEnvironment, "report", "--study", $"postgres://former:hunter2@127.0.0.1:{cluster.Port}/postgres?study=x", "--output", Path.Combine(_dir, "r.html")), "PGPASSWORD");
    }

    private static void Refused(FormerProcess.Result r, string expected)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.StdErr}");
        string message = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, message);
        Assert.DoesNotContain("hunter2", message);
        Assert.DoesNotContain(PostgresCluster.Password, message);
    }
}
