using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Models;
using FormerSearch.Spaces;
using Spectre.Console;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former space show NAME [--preset P] [--json]</c>: the choices, the number of architectures and the cost range;
/// <c>former space sample NAME [--preset P] [--count N] [--seed S] [--smallest|--largest] --output DIR</c>: architecture
/// JSON files every command taking <c>--arch</c> reads.
/// </summary>
public static class SpaceCommand
{
    public static Command Create() => new("space", "Inspect search spaces and write architectures of them.") { Show(), Sample() };

    private static Argument<string> SpaceName() => new("space") { Description = "Search space: " + string.Join(", ", SearchSpaces.Names) + "." };

    private static Option<string?> Preset() => new("--preset") { Description = "Preset of the space (default: its small one, mini)." };

    private static Command Show()
    {
        var name = SpaceName();
        var preset = Preset();
        var json = CommonOptions.Json();
        var command = new Command("show", "The choices of a search space, how many architectures it holds and their params/MACs range.") { name, preset, json };
        command.SetAction(parse =>
        {
            var space = SearchSpaces.Create(parse.GetValue(name)!, parse.GetValue(preset));
            var options = ModelOptions.For(space.DefaultInput, 10);
            var smallest = space.Profile(space.Smallest(), options);
            var largest = space.Profile(space.Largest(), options);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    space = space.Name,
                    preset = space.Preset,
                    input = new[] { space.DefaultInput.Channels, space.DefaultInput.Height, space.DefaultInput.Width },
                    architectures = space.Count.ToString(CultureInfo.InvariantCulture),
                    choices = space.Choices.Select(c => new { name = c.Name, kind = c.Kind.ToString().ToLowerInvariant(), group = c.Group, values = c.Values }),
                    smallest = new { @params = smallest.Params, macs = smallest.Macs },
                    largest = new { @params = largest.Params, macs = largest.Macs },
                }));
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("choice", "kind", "group", "values");
            foreach (var c in space.Choices)
                table.AddRow(Markup.Escape(c.Name), c.Kind.ToString().ToLowerInvariant(), Markup.Escape(c.Group), Markup.Escape(string.Join(", ", c.Values)));
            Tables.Write(table);
            Console.WriteLine($"{space.Name} ({space.Preset}) at {space.DefaultInput}, 10 classes: {space.Count.ToString("N0", CultureInfo.InvariantCulture)} architectures.");
            Console.WriteLine($"smallest: {ModelsCommand.Millions(smallest.Params)} M params, {ModelsCommand.Billions(smallest.Macs)} GMACs; largest: {ModelsCommand.Millions(largest.Params)} M params, {ModelsCommand.Billions(largest.Macs)} GMACs.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Sample()
    {
        var name = SpaceName();
        var preset = Preset();
        var count = new Option<int>("--count") { Description = "Architectures to draw.", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the draw.", DefaultValueFactory = _ => 0 };
        var smallest = new Option<bool>("--smallest") { Description = "Write the smallest architecture instead of random ones." };
        var largest = new Option<bool>("--largest") { Description = "Write the largest architecture instead of random ones." };
        var output = new Option<string>("--output") { Description = "Directory to write the architecture JSON files into (created if missing).", Required = true };
        var command = new Command("sample", "Write architectures of a search space as JSON files (random ones with the space's own sampler, or its smallest/largest).")
        {
            name, preset, count, seed, smallest, largest, output,
        };
        command.SetAction(parse =>
        {
            var space = SearchSpaces.Create(parse.GetValue(name)!, parse.GetValue(preset));
            int n = CommonOptions.AtLeast(parse.GetValue(count), 1, "--count");
            bool small = parse.GetValue(smallest), large = parse.GetValue(largest);
            if (small && large) throw new UserInputException("Give --smallest or --largest, not both.");
            string dir = OutputPath.Folder(parse.GetValue(output)!);
            Directory.CreateDirectory(dir);
            var written = new List<string>();
            if (small || large)
            {
                written.Add(Write(dir, small ? "smallest" : "largest", small ? space.Smallest() : space.Largest()));
            }
            else
            {
                var rng = new Generator(parse.GetValue(seed));
                for (int i = 0; i < n; i++) written.Add(Write(dir, $"{space.Name}-{space.Preset}-{i:D3}", space.Sample(rng)));
            }
            foreach (var path in written) Console.WriteLine(path);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Write(string dir, string stem, Architecture architecture)
    {
        string path = Path.Combine(dir, stem + ".json");
        AtomicFile.WriteAllText(path, architecture.ToJson() + "\n");
        return path;
    }
}
