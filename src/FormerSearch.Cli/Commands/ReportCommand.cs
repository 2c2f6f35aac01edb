using FormerSearch.Engine;
using System.CommandLine;
using FormerSearch.Reports;
using FormerSearch.Studies;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// <c>former report --study FILE|URL [--study FILE|URL…] --output report.html [--top K] [--title TEXT] [--comparison FILE]</c>: one self-contained HTML
/// file (inline SVG, no network) of one or more studies: accuracy vs MACs with the Pareto front, best accuracy per
/// generation of every run (so evolution and random search show side by side when the studies hold both), and the top-k.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var studies = new Option<string[]>("--study")
        {
            Description = "A study: a SQLite file, or postgresql://USER@HOST[:PORT]/DB?study=NAME (password from PGPASSWORD or ~/.pgpass); repeat to compare studies (e.g. evolution and random search). Every run of every study is drawn.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output") { Description = "The HTML file to write (atomically).", Required = true };
        var top = new Option<int>("--top") { Description = "Rows of the top-k table.", DefaultValueFactory = _ => 10 };
        var title = new Option<string?>("--title") { Description = "Page title (default: the space and preset)." };
        var comparison = new Option<string?>("--comparison") { Description = "A `former compare` results file (comparison.json): its models are drawn as labelled points on the accuracy-vs-MACs chart." };
        var command = new Command("report", "Write an HTML report of search studies: accuracy vs MACs, best per generation, top-k architectures.") { studies, output, top, title, comparison };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(studies) ?? [];
            string file = OutputPath.File(parse.GetValue(output)!);
            int k = CommonOptions.AtLeast(parse.GetValue(top), 1, "--top");
            foreach (var path in paths)
                if (!Study.IsServerUrl(path) && !File.Exists(path)) throw new UserInputException($"--study {path} does not exist.");
            HtmlReport.Write(paths, file, new ReportOptions { TopK = k, Title = parse.GetValue(title), Comparison = parse.GetValue(comparison) });
            Console.WriteLine($"Report of {paths.Length} {(paths.Length == 1 ? "study" : "studies")} written to {file}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
