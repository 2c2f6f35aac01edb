using FormerSearch.Search;
using FormerSearch.Supernets;

namespace FormerSearch.Pipeline;

/// <summary>
/// What <c>former search</c> runs. Each property's initial value is the <c>default</c> preset's; <see cref="SearchPreset.All"/>
/// holds the run-size presets, and every figure can be overridden (the command line reads its defaults from here).
/// </summary>
public sealed record SearchPipelineSettings
{
    /// <summary>Search space.</summary>
    public string Space { get; init; } = "burger";

    /// <summary>Preset of the space.</summary>
    public string SpacePreset { get; init; } = "mini";

    /// <summary>Supernet sampling rule.</summary>
    public SamplerKind Sampler { get; init; } = SamplerKind.Hybrid;

    /// <summary>In-place distillation in supernet training: the smaller subnets of a step learn from its largest (sandwich and hybrid samplers).</summary>
    public bool Distill { get; init; }

    /// <summary>GLiT supernets: whether a block's head splits have weights of their own or share one set.</summary>
    public HeadSplitWeights HeadSplits { get; init; }

    /// <summary>Data set spec.</summary>
    public string Dataset { get; init; } = "fashion-mnist";

    /// <summary>Directory of the data set's files (null: its default).</summary>
    public string? DataDir { get; init; }

    /// <summary>Image folders: where the decoded cache goes (null: the user's cache directory).</summary>
    public string? CacheDir { get; init; }

    /// <summary>Image folders without a test folder: images held out as the test set (by the held-out seed, before the validation images).</summary>
    public int TestSize { get; init; }

    /// <summary>Image folders: an unreadable image is an error instead of being skipped.</summary>
    public bool StrictImages { get; init; }

    /// <summary>Output folder.</summary>
    public string Output { get; init; } = "runs/search";

    /// <summary>
    /// Where the study lives (null: <c>study.sqlite</c> in <see cref="Output"/>): a SQLite file, or
    /// <c>postgresql://USER@HOST[:PORT]/DB?study=NAME</c> to share it between machines.
    /// </summary>
    public string? Study { get; init; }

    /// <summary>Join the study's run as an evaluation worker only: no fine-tuning, summary or report (the search that started the run writes them).</summary>
    public bool WorkersOnly { get; init; }

    /// <summary>The study's location: <see cref="Study"/>, else <c>study.sqlite</c> in <see cref="Output"/>.</summary>
    public string StudyLocation => Study ?? System.IO.Path.Combine(Output, "study.sqlite");

    /// <summary>Seed of everything.</summary>
    public ulong Seed { get; init; }

    /// <summary>Seed of the held-out split (null: <see cref="Seed"/>); a trained supernet's own, so that it is never scored on images it trained on.</summary>
    public ulong? SplitSeed { get; init; }

    /// <summary>The seed the held-out split is drawn with: <see cref="SplitSeed"/>, else <see cref="Seed"/>.</summary>
    public ulong HeldOutSeed => SplitSeed ?? Seed;

    /// <summary>A trained supernet folder (<c>former supernet train</c>) to search instead of training one (null: train one).</summary>
    public string? Supernet { get; init; }

    /// <summary>Search algorithm.</summary>
    public SearchAlgorithmKind Algorithm { get; init; } = SearchAlgorithmKind.Evolution;

    /// <summary>Constraint windows; a null MACs window means the default budget (the middle of the space's MACs range).</summary>
    public Constraints? Constraints { get; init; }

    /// <summary>Training images held out to rank subnets on.</summary>
    public int ValSize { get; init; } = 10_000;

    /// <summary>Of the held-out images, how many each candidate is scored on (the first ones of the held-out set).</summary>
    public int SearchValImages { get; init; } = 2_000;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>
    /// Replicas of the supernet trained side by side, each on its part of every batch (in-process data parallelism, see
    /// <see cref="Engine.Distributed.Replicas"/>); batch norm then takes its statistics over each replica's part. The
    /// result depends on this number, not on the number of threads.
    /// </summary>
    public int Replicas { get; init; } = 2;

    /// <summary>Supernet training epochs.</summary>
    public int SupernetEpochs { get; init; } = 6;

    /// <summary>Supernet training step budget (null: all epochs).</summary>
    public int? SupernetMaxSteps { get; init; }

    /// <summary>Evolution population / generations (random search gets the same budget).</summary>
    public int Population { get; init; } = 20;

    /// <summary>Evolution generations.</summary>
    public int Generations { get; init; } = 6;

    /// <summary>Best candidates that also get a test-set accuracy with inherited weights.</summary>
    public int TestTopK { get; init; } = 3;

    /// <summary>
    /// Best candidates (by inherited score) fine-tuned <see cref="RerankEpochs"/> epochs each from their inherited weights and
    /// scored again on the same held-out images, the best after it winning (0: none; the best inherited score wins). On the
    /// thorough BurgerFormer mini supernet inherited weights rank subnets at Kendall τ 0.05 against training them alone, one
    /// epoch of fine-tuning at 0.40 (README, ranking).
    /// </summary>
    public int RerankTop { get; init; }

    /// <summary>Training epochs of each re-ranked candidate.</summary>
    public int RerankEpochs { get; init; } = 1;

    /// <summary>
    /// What re-ranked candidates start from. <see cref="RerankStart.Inherited"/>: the best <see cref="RerankTop"/> by inherited
    /// score, scored on the search's held-out images. <see cref="RerankStart.Scratch"/>: the best of each distinct set of sizes
    /// (the values of every size choice), best first, as many as <see cref="RerankTop"/> — evolution's best are near-copies of one
    /// another, whose fresh trainings would differ only by noise — scored on every held-out image.
    /// </summary>
    public RerankStart RerankFrom { get; init; }

    /// <summary>Batches to re-estimate BN statistics on before scoring a subnet.</summary>
    public int BnBatches { get; init; } = 5;

    /// <summary>Fine-tuning epochs of the best subnet (0: test it with its inherited weights).</summary>
    public int FinetuneEpochs { get; init; } = 3;

    /// <summary>Fine-tuning step budget (null: all epochs).</summary>
    public int? FinetuneMaxSteps { get; init; }

    /// <summary>
    /// Probability of timm's random erasing (one rectangle of normal noise, pixel mode) per image in the best subnet's
    /// fine-tuning; 0 is off. Long fine-tunings overfit 50,000 small images without it.
    /// </summary>
    public float FinetuneRandomErasing { get; init; }

    /// <summary>
    /// Mixup alpha of the best subnet's fine-tuning (timm's, with label smoothing folded into the mixed targets); 0 is off.
    /// With <see cref="FinetuneCutmix"/> each batch is mixed one way or the other (timm's switch probability 0.5).
    /// </summary>
    public float FinetuneMixup { get; init; }

    /// <summary>CutMix alpha of the best subnet's fine-tuning; 0 is off.</summary>
    public float FinetuneCutmix { get; init; }

    /// <summary>Stochastic depth rate of the best subnet's last block in its fine-tuning (earlier blocks less, linearly); 0 is off.</summary>
    public float FinetuneDropPath { get; init; }

    /// <summary>The images the best subnet is fine-tuned on (default the training images less the held-out ones).</summary>
    public FinetuneImages FinetuneImages { get; init; }

    /// <summary>Batch size of latency measurements.</summary>
    public int LatencyBatch { get; init; } = 64;

    /// <summary>
    /// These settings on the trained supernet in <paramref name="folder"/>: its space, preset, sampler (and distillation), head splits, data set and held-out
    /// split replace those given.
    /// </summary>
    public SearchPipelineSettings OnSupernet(SupernetDirectory folder) => this with
    {
        Supernet = folder.Path, Space = folder.Space, SpacePreset = folder.Preset, Sampler = folder.Sampler, Distill = folder.Distill, HeadSplits = folder.HeadSplits,
        Dataset = folder.Dataset, ValSize = folder.ValSize, SplitSeed = folder.Seed,
    };
}
