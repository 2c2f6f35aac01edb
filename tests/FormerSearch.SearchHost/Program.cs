using System.Globalization;
using FormerSearch.Search;
using FormerSearch.Studies;
using FormerSearch.Tests.Search;

// Usage: FormerSearch.SearchHost STUDY SEED DELAY_MS — runs (or resumes) the study tests' evolution on the synthetic space
// and prints the best key and the number of evaluations this process made. The tests kill it mid-search and resume in-process.
string path = args[0];
ulong seed = ulong.Parse(args[1], CultureInfo.InvariantCulture);
int delay = int.Parse(args[2], CultureInfo.InvariantCulture);
var space = new SynthSpace();
using var study = Study.OpenOrCreate(path, space);
var evaluator = new SynthEvaluator { DelayMs = delay };
var result = new EvolutionSearch(SynthSearches.Small, seed).Run(new SearchContext
{
    Space = space,
    Study = study,
    Evaluator = evaluator,
    Constraints = SynthSearches.Budget,
    Resume = true,
});
Console.WriteLine(result.Best.Key);
Console.WriteLine(evaluator.TotalCalls.ToString(CultureInfo.InvariantCulture));
return 0;
