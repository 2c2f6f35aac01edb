using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Models;
using Spectre.Console;

namespace FormerSearch.Cli.Commands;

/// <summary><c>former models [--json]</c>: every registered model with its family, params and MACs at its default input.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("models", "List the model zoo: name, family, parameters and MACs at the default input.") { json };
        command.SetAction(parse => Run(parse.GetValue(json)));
        return command;
    }

    private static int Run(bool json)
    {
        var rows = new List<(ModelEntry Entry, Models.Profiling.ModelProfile Profile)>();
        foreach (var entry in ModelRegistry.Entries)
            rows.Add((entry, entry.Profile(ModelOptions.For(entry.DefaultInput))));

        if (json)
        {
            var doc = rows.Select(r => new
            {
                name = r.Entry.Name,
                family = r.Entry.Family,
                input = new[] { r.Profile.Input.Channels, r.Profile.Input.Height, r.Profile.Input.Width },
                num_classes = r.Profile.NumClasses,
                @params = r.Profile.Params,
                macs = r.Profile.Macs,
            });
            Console.WriteLine(JsonSerializer.Serialize(doc));   // one array, an object per model
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("model", "family", "input", "params (M)", "GMACs");
        foreach (var (entry, profile) in rows)
            table.AddRow(entry.Name, entry.Family, profile.Input.ToString(), Millions(profile.Params), Billions(profile.Macs));
        Tables.Write(table);
        return ExitCodes.Success;
    }

    internal static string Millions(long n) => (n / 1e6).ToString("F2", CultureInfo.InvariantCulture);

    internal static string Billions(long n) => (n / 1e9).ToString("F3", CultureInfo.InvariantCulture);
}
