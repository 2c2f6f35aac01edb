using System.CommandLine;
using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Pipeline;
using FormerSearch.Search;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Training;

namespace FormerSearch.Cli.Commands;

/// <summary>
/// The options of <c>former search</c> and the settings they make. Every option is null unless given: its default is the
/// chosen <see cref="SearchPreset"/>'s <see cref="SearchPipelineSettings"/>, which the help texts quote, so the command line
/// and the settings cannot disagree.
/// </summary>
public sealed class SearchOptions
{
    private static readonly SearchPipelineSettings Defaults = SearchPreset.Default.Settings;

    // Each replica takes at least two images of the default batch of 128; more replicas than cores only take turns.
    private const int MaxReplicas = 64;

    private readonly Option<string?> _preset = new("--preset")
    {
        Description = "Run size — " + string.Join("; ", SearchPreset.All.Select(p => $"{p.Name}: {p.Description}")) + $" (default: {SearchPreset.Default.Name}).",
    };
    private readonly Option<string?> _space = new("--space") { Description = $"{string.Join(" | ", SearchSpaces.Names)} (default: {Defaults.Space})." };
    private readonly Option<string?> _spacePreset = new("--space-preset") { Description = $"Preset of the space (default: {Defaults.SpacePreset})." };
    private readonly Option<SamplerKind?> _sampler = KindOption.Create("--sampler", "Supernet sampling", Defaults.Sampler);
    private readonly Option<bool> _distill = new("--distill")
    {
        Description = "In-place distillation in supernet training: each step's smaller subnets learn from its largest one's predictions (sandwich and hybrid samplers; default: off).",
    };
    private readonly Option<HeadSplitWeights?> _headSplits = SupernetCommand.HeadSplitsOption();
    private readonly Option<SearchAlgorithmKind?> _algorithm = KindOption.Create("--algorithm", "Search algorithm", Defaults.Algorithm);
    private readonly Option<string?> _budgetMacs = new("--budget-macs") { Description = "MACs window MAX or MIN:MAX, e.g. 20e6 (default: at most the middle of the space's range)." };
    private readonly Option<string?> _budgetParams = new("--budget-params") { Description = "Parameter window MAX or MIN:MAX, e.g. 1.5e6." };
    private readonly Option<string?> _budgetLatency = new("--budget-latency") { Description = $"Latency window in ms per batch of {Defaults.LatencyBatch}, MAX or MIN:MAX." };
    private readonly Option<string?> _dataset = new("--dataset") { Description = $"Data set spec (see `former train`; default: {Defaults.Dataset})." };
    private readonly Option<string?> _dataDir = new("--data-dir") { Description = "Directory of the data set's files." };
    private readonly Option<int?> _valSize = new("--val-size") { Description = $"Training images held out to rank subnets on (default: {Defaults.ValSize:N0}, as AutoFormer)." };
    private readonly Option<string?> _output = new("--output") { Description = $"Output folder (default: {Defaults.Output})." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Reuse and continue what an earlier run into --output finished." };
    private readonly Option<string?> _study = new("--study")
    {
        Description = "The study: a SQLite file (default: OUTPUT/study.sqlite), or postgresql://USER@HOST[:PORT]/DB?study=NAME to share it between machines "
            + "(password from PGPASSWORD or ~/.pgpass, never in the URL).",
    };
    private readonly Option<bool> _workersOnly = new("--workers-only")
    {
        Description = "Join the --study's run as an evaluation worker (same options as the search that started it); the starting search fine-tunes, tests and reports.",
    };
    private readonly Option<string?> _supernet = new("--supernet") { Description = "Search this trained supernet folder (`former supernet train` output) instead of training one; its space, sampler, data set and held-out split are used." };
    private readonly Option<int?> _supernetEpochs = new("--supernet-epochs") { Description = $"Supernet training epochs ({PerPreset(s => s.SupernetMaxSteps is { } steps ? $"{steps} steps" : $"{s.SupernetEpochs}")})." };
    private readonly Option<int?> _replicas = new("--replicas")
    {
        Description = $"Replicas of the supernet and of the best subnet trained side by side in this process, each on its part of every batch (data parallelism without MPI; batch norm per part), 1 to {MaxReplicas} (default {Defaults.Replicas}); the result depends on it, not on --threads.",
    };
    private readonly Option<int?> _population = new("--population") { Description = $"Evolution population per generation ({PerPreset(s => $"{s.Population}")}); random search evaluates as many in all." };
    private readonly Option<int?> _generations = new("--generations") { Description = $"Evolution generations ({PerPreset(s => $"{s.Generations}")})." };
    private readonly Option<int?> _rerankTop = new("--rerank-top")
    {
        Description = $"Train the best K candidates (see --rerank-from) and let the best after it win ({PerPreset(s => $"{s.RerankTop}")}; 0: the best inherited score wins).",
    };
    private readonly Option<int?> _rerankEpochs = new("--rerank-epochs") { Description = $"Training epochs of each re-ranked candidate ({PerPreset(s => $"{s.RerankEpochs}")})." };
    private readonly Option<RerankStart?> _rerankFrom = KindOption.Create("--rerank-from",
        "What re-ranked candidates start from — inherited: the best K by inherited score, fine-tuned from their supernet weights; "
        + "scratch: the best of K distinct sets of sizes, each trained from fresh weights with train's default recipe and scored on every held-out image "
        + $"({PerPreset(s => KindNames.Of(s.RerankFrom))})", Defaults.RerankFrom);
    private readonly Option<int?> _finetuneEpochs = new("--finetune-epochs") { Description = $"Fine-tuning epochs of the best subnet ({PerPreset(s => s.FinetuneMaxSteps is { } steps ? $"{steps} steps" : $"{s.FinetuneEpochs}")}); 0 tests it with its inherited weights." };
    private readonly Option<FinetuneImages?> _finetuneImages = KindOption.Create("--finetune-images",
        $"Images the best subnet is fine-tuned on — train: the training images less the held-out ones; all: every training image, "
        + $"so no held-out score is reported after it ({PerPreset(s => KindNames.Of(s.FinetuneImages))})", Defaults.FinetuneImages);

    /// <summary>How an image-folder data set is read.</summary>
    public FolderOptions Folders { get; } = new();

    /// <summary>Threads, seed, JSON and progress, as every long-running command takes them.</summary>
    public RunOptions Run { get; } = new("Seed of everything: supernet, search, fine-tuning, held-out split (default 0).");

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _preset, _space, _spacePreset, _sampler, _distill, _headSplits, _algorithm, _budgetMacs, _budgetParams, _budgetLatency, _dataset, _dataDir,
                     _valSize, _output, _resume, _study, _workersOnly, _supernet, _supernetEpochs, _replicas, _population, _generations, _rerankTop, _rerankEpochs, _rerankFrom, _finetuneEpochs, _finetuneImages })
            command.Options.Add(o);
        Folders.AddTo(command);
        Run.AddTo(command);
    }

    /// <summary>Whether <c>--resume</c> was given.</summary>
    public bool Resume(ParseResult parse) => parse.GetValue(_resume);

    /// <summary>
    /// The preset's settings with every given option in place; with <c>--supernet</c>, that folder's space, sampler, data
    /// set and held-out split.
    /// </summary>
    /// <exception cref="UserInputException">An unknown preset, a value out of range, a malformed budget, or an option the supernet folder contradicts.</exception>
    public SearchPipelineSettings Settings(ParseResult parse)
    {
        var defaults = parse.GetValue(_preset) is { } name ? SearchPreset.Get(name).Settings : Defaults;
        var settings = defaults with
        {
            SupernetEpochs = CommonOptions.InRange(parse.GetValue(_supernetEpochs) ?? defaults.SupernetEpochs, 1, TrainingOptions.MaxEpochs, "--supernet-epochs"),
            SupernetMaxSteps = parse.GetValue(_supernetEpochs) is null ? defaults.SupernetMaxSteps : null,
            Replicas = CommonOptions.InRange(parse.GetValue(_replicas) ?? defaults.Replicas, 1, MaxReplicas, "--replicas"),
            Population = CommonOptions.InRange(parse.GetValue(_population) ?? defaults.Population, 2, ISearchSettings.MaxEvaluations, "--population"),
            Generations = CommonOptions.InRange(parse.GetValue(_generations) ?? defaults.Generations, 1, ISearchSettings.MaxEvaluations, "--generations"),
            RerankTop = CommonOptions.InRange(parse.GetValue(_rerankTop) ?? defaults.RerankTop, 0, ISearchSettings.MaxEvaluations, "--rerank-top"),
            RerankEpochs = CommonOptions.InRange(parse.GetValue(_rerankEpochs) ?? defaults.RerankEpochs, 1, TrainingOptions.MaxEpochs, "--rerank-epochs"),
            RerankFrom = parse.GetValue(_rerankFrom) ?? defaults.RerankFrom,
            FinetuneEpochs = CommonOptions.InRange(parse.GetValue(_finetuneEpochs) ?? defaults.FinetuneEpochs, 0, TrainingOptions.MaxEpochs, "--finetune-epochs"),
            FinetuneMaxSteps = parse.GetValue(_finetuneEpochs) is null ? defaults.FinetuneMaxSteps : null,
            FinetuneImages = parse.GetValue(_finetuneImages) ?? defaults.FinetuneImages,
            Space = parse.GetValue(_space) ?? defaults.Space,
            SpacePreset = parse.GetValue(_spacePreset) ?? defaults.SpacePreset,
            Sampler = parse.GetValue(_sampler) ?? defaults.Sampler,
            Distill = parse.GetValue(_distill) || defaults.Distill,
            HeadSplits = parse.GetValue(_headSplits) ?? defaults.HeadSplits,
            Algorithm = parse.GetValue(_algorithm) ?? defaults.Algorithm,
            Dataset = parse.GetValue(_dataset) ?? defaults.Dataset,
            DataDir = parse.GetValue(_dataDir) ?? defaults.DataDir,
            ValSize = CommonOptions.AtLeast(parse.GetValue(_valSize) ?? defaults.ValSize, 1, "--val-size"),
            Output = parse.GetValue(_output) ?? defaults.Output,
            Study = parse.GetValue(_study),
            WorkersOnly = parse.GetValue(_workersOnly),
            CacheDir = parse.GetValue(Folders.CacheDir),
            TestSize = CommonOptions.AtLeast(parse.GetValue(Folders.TestSize) ?? 0, 0, "--test-size"),
            StrictImages = parse.GetValue(Folders.StrictImages),
            Seed = Run.SeedOr(parse, defaults.Seed),
            Constraints = new Constraints
            {
                Macs = Window(parse.GetValue(_budgetMacs), "--budget-macs"),
                Params = Window(parse.GetValue(_budgetParams), "--budget-params"),
                Latency = Window(parse.GetValue(_budgetLatency), "--budget-latency"),
            },
        };
        if (parse.GetValue(_supernet) is { } trained) return OnSupernet(parse, settings, trained);
        SubnetSampler.CheckDistillation(settings.Sampler, settings.Distill);
        SearchSpaces.Create(settings.Space, settings.SpacePreset).CheckHeadSplits(settings.HeadSplits);
        return settings;
    }

    // What the folder fixes may be left out, or repeated; a different value is a mistake worth a sentence.
    private SearchPipelineSettings OnSupernet(ParseResult parse, SearchPipelineSettings settings, string trained)
    {
        var folder = SupernetDirectory.Load(trained);
        foreach (var (option, given, its) in new (string Option, string? Given, string Its)[]
        {
            ("--space", parse.GetValue(_space), folder.Space), ("--space-preset", parse.GetValue(_spacePreset), folder.Preset),
            ("--sampler", parse.GetValue(_sampler) is { } k ? KindNames.Of(k) : null, KindNames.Of(folder.Sampler)),
            ("--distill", parse.GetValue(_distill) ? "yes" : null, folder.Distill ? "yes" : "no"),
            ("--head-splits", parse.GetValue(_headSplits) is { } h ? KindNames.Of(h) : null, KindNames.Of(folder.HeadSplits)),
            ("--dataset", parse.GetValue(_dataset), folder.Dataset),
            ("--val-size", parse.GetValue(_valSize)?.ToString(CultureInfo.InvariantCulture), folder.ValSize.ToString(CultureInfo.InvariantCulture)),
        })
        {
            if (given is not null && !string.Equals(given, its, StringComparison.OrdinalIgnoreCase))
                throw new UserInputException($"{option} {given} contradicts the supernet in {trained}, which was trained with {its}; leave the option out.");
        }
        var onSupernet = settings.OnSupernet(folder);
        // An image folder's test split is the one the supernet recorded in its card, unless given.
        return parse.GetValue(Folders.TestSize) is null && SupernetData.Card(folder).TestSize is { } testSize ? onSupernet with { TestSize = testSize } : onSupernet;
    }

    // "per preset: default 6, quick 120 steps": a figure of every preset, for a help text.
    private static string PerPreset(Func<SearchPipelineSettings, string> figure) =>
        "per preset: " + string.Join(", ", SearchPreset.All.Select(p => $"{p.Name} {figure(p.Settings)}"));

    /// <summary>"MAX" or "MIN:MAX" (either side may be empty) as a window.</summary>
    /// <exception cref="UserInputException">The text is not such a window of non-negative numbers.</exception>
    public static CostWindow Window(string? text, string option)
    {
        if (text is null) return CostWindow.Unbounded;
        var parts = text.Split(':');
        double? Parse(string s) => s.Length == 0 ? null
            : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v) ? v
            : throw new UserInputException($"{option} '{text}' is invalid: give MAX or MIN:MAX as non-negative numbers, e.g. 20e6 or 5e6:20e6.");
        var window = parts.Length switch
        {
            1 => new CostWindow(null, Parse(parts[0])),
            2 => new CostWindow(Parse(parts[0]), Parse(parts[1])),
            _ => throw new UserInputException($"{option} '{text}' is invalid: give MAX or MIN:MAX."),
        };
        if (window.Min > window.Max) throw new UserInputException($"{option} '{text}' is invalid: its minimum is above its maximum.");
        return window;
    }
}
