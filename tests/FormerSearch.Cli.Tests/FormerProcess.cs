using System.Diagnostics;

namespace FormerSearch.Cli.Tests;

/// <summary>Runs the built <c>former</c> command as a user would, capturing its output and exit code.</summary>
public static class FormerProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(params string[] args) => Run(null, args);

    public static Result Run(IDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(environment, args);
        return Finish(process, $"former {string.Join(' ', args)}", TimeSpan.FromMinutes(2));
    }

    /// <summary>Collects the output of a started <paramref name="process"/> and waits for it; kills it and fails the test after <paramref name="limit"/>.</summary>
    public static Result Finish(Process process, string what, TimeSpan limit)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{what} did not finish in {limit.TotalMinutes:0} minutes.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The id of a process that has exited: what a killed writer's temporary is named after.</summary>
    public static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>Every file and folder under <paramref name="dir"/> with its bytes (hashed) and modification time.</summary>
    public static Dictionary<string, string> Snapshot(string dir) =>
        Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f),
            f => File.Exists(f) ? $"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))} {File.GetLastWriteTimeUtc(f):O}"
                : $"folder {Directory.GetLastWriteTimeUtc(f):O}");

    /// <summary>Starts <c>former</c> with <paramref name="args"/> without waiting (to kill it mid-run); output is redirected.</summary>
    public static Process Start(IDictionary<string, string>? environment, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "former.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;
        return Process.Start(info)!;
    }
}
