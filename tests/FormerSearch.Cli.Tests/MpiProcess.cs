using System.Diagnostics;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// Runs the built <c>former</c> under Open MPI's <c>mpirun</c> on this machine (<c>--oversubscribe</c>: more ranks than
/// cores; root allowed, as in CI containers). A machine without mpirun fails the test, saying what to install.
/// </summary>
public static class MpiProcess
{
    /// <summary>Runs <c>mpirun -np <paramref name="ranks"/> dotnet former.dll <paramref name="args"/></c> and waits (at most 3 minutes).</summary>
    public static FormerProcess.Result Run(int ranks, params string[] args)
    {
        using var process = Start(ranks, args);
        return FormerProcess.Finish(process, $"mpirun -np {ranks} former {string.Join(' ', args)}", TimeSpan.FromMinutes(3));
    }

    /// <summary>Starts the run without waiting (to kill it mid-run); output is redirected.</summary>
    public static Process Start(int ranks, params string[] args)
    {
        string mpirun = Find("mpirun")
            ?? throw new Xunit.Sdk.XunitException("mpirun is not on PATH: install Open MPI (apt-get install openmpi-bin libopenmpi-dev; scripts/setup.sh does).");
        var info = new ProcessStartInfo(mpirun) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(), "dotnet", Path.Combine(AppContext.BaseDirectory, "former.dll") }) info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    /// <summary>The process ids of the ranks a started <c>mpirun</c> launched on this machine (its children).</summary>
    public static int[] RankProcessIds(Process mpirun) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit))
            .Where(pid => ParentOf(pid!) == mpirun.Id).Select(pid => int.Parse(pid!)).ToArray();

    // /proc/PID/stat: "pid (command) state ppid …"; the command may hold spaces and parentheses, so read after the last ')'.
    private static int ParentOf(string pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return -1; // the process ended meanwhile
        }
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
