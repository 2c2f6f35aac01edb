using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FormerSearch.Tests.Studies;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests: <c>initdb</c> into a temp folder (a password user, scram-sha-256), started
/// with <c>pg_ctl</c> on a free port of 127.0.0.1 with its Unix socket in that folder, stopped and removed on dispose.
/// PostgreSQL refuses to run as root, so as root (CI) the cluster runs as the Debian <c>postgres</c> system user. Sets
/// <c>PGPASSWORD</c> in this process, as a user would, so the studies connect with the password the way they do in use.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    /// <summary>The role the tests connect as.</summary>
    public const string User = "former";

    /// <summary>Its password.</summary>
    public const string Password = "s3cret-for-tests";

    private readonly string _dir;
    private readonly string _bin;
    private readonly string? _runAs;

    public PostgresCluster()
    {
        _bin = FindBinaries();
        _runAs = geteuid() == 0 ? "postgres" : null;
        _dir = Directory.CreateTempSubdirectory("former-pg-").FullName;
        Run("chmod", "755", _dir); // the server's user must reach its data folder and socket
        File.WriteAllText(Path.Combine(_dir, "pwfile"), Password + "\n");
        if (_runAs is not null) Run("chown", "-R", _runAs, _dir);
        Port = FreePort();
        RunAs(Path.Combine(_bin, "initdb"), "-D", Path.Combine(_dir, "data"), "-U", User, $"--pwfile={Path.Combine(_dir, "pwfile")}", "-A", "scram-sha-256",
            "-E", "UTF8", "--locale=C", "--no-sync");
        RunAs(Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "start");
        Environment.SetEnvironmentVariable("PGPASSWORD", Password);
    }

    /// <summary>The server's TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A study URL on this cluster (database <c>postgres</c>).</summary>
    public string Url(string study) => $"postgresql://{User}@127.0.0.1:{Port}/postgres?study={study}";

    /// <summary>The environment a child process needs to reach the cluster.</summary>
    public IDictionary<string, string> ChildEnvironment => new Dictionary<string, string> { ["PGPASSWORD"] = Password };

    public void Dispose()
    {
        try
        {
            RunAs(Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        var bin = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException($"PostgreSQL's initdb and pg_ctl are not under {Root}/*/bin: install the Debian package postgresql (scripts/setup.sh does).");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void RunAs(string program, params string[] args) =>
        Run(_runAs is null ? program : "runuser", _runAs is null ? args : ["-u", _runAs, "--", program, .. args]);

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}{stdout.Result}");
    }

    [DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
