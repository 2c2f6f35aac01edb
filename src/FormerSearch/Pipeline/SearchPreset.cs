using FormerSearch.Engine;
using FormerSearch.Search;

namespace FormerSearch.Pipeline;

/// <summary>A run size of <c>former search</c>: its name, what it costs, and the settings it starts from.</summary>
/// <param name="Name">What <c>--preset</c> calls it.</param>
/// <param name="Description">What it is for and how long it takes on this project's 2-core reference machine (measured).</param>
/// <param name="Settings">The settings it starts from; command-line options override them.</param>
public sealed record SearchPreset(string Name, string Description, SearchPipelineSettings Settings)
{
    /// <summary>Every preset, the default first: the one table the command line and the README read.</summary>
    public static IReadOnlyList<SearchPreset> All { get; } =
    [
        new("default", "about 6 minutes on 2 cores, 5 min 52–56 s measured", new SearchPipelineSettings()),
        new("quick", "a smoke run, under a minute on 2 cores, 24 s measured", new SearchPipelineSettings
        {
            SupernetEpochs = 1, SupernetMaxSteps = 120, SearchValImages = 1_000, Population = 10, Generations = 3,
            BnBatches = 3, FinetuneMaxSteps = 60, TestTopK = 1,
        }),
        // The papers' way at our scale: a supernet trained five times longer, 600 candidates each scored on 5,000 held-out
        // images (standard error ±0.36 points at 93 %) after 10 batch-norm batches, and the winner retrained 200 epochs on
        // every training image (the held-out ones included: +0.20 points test on the 1M winner at 100 epochs, 94.02 against
        // 93.82 %) with DeiT's regularisation (another +0.20: 94.22 %), twice as long as that (another +0.68: 94.90 %).
        new("thorough", "about 105 minutes on 2 cores, measured in parts: supernet 23 min, search 5, fine-tuning 200 epochs on all 60,000 images 77 (the headline accuracies)", new SearchPipelineSettings
        {
            SupernetEpochs = 30, SearchValImages = 5_000, Population = 40, Generations = 15, BnBatches = 10,
            FinetuneEpochs = 200, FinetuneRandomErasing = 0.25f, FinetuneMixup = 0.8f, FinetuneCutmix = 1f, FinetuneDropPath = 0.1f, FinetuneImages = FinetuneImages.All,
        }),
    ];

    /// <summary>The preset used when none is named.</summary>
    public static SearchPreset Default => All[0];

    /// <summary>The preset named <paramref name="name"/>.</summary>
    /// <exception cref="UserInputException">No preset has that name; the message lists them.</exception>
    public static SearchPreset Get(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new UserInputException(KindNames.Unknown(name, "--preset", All.Select(p => p.Name).ToList()));
}
