using System.Text.Json.Nodes;
using FormerSearch.Spaces;
using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>
/// Evolution as AutoFormer's Alg. 2 and its <c>evolution.py</c>; defaults are the paper's. Every population is
/// <see cref="Mutations"/> mutants of the top <see cref="Parents"/>, <see cref="Crossovers"/> crossovers of them, and random
/// architectures up to <see cref="Population"/>; every draw outside the constraints, or already evaluated in the run, is
/// rejected and drawn again.
/// </summary>
public sealed record EvolutionSettings : ISearchSettings
{
    /// <summary>Candidates per generation (official <c>population_num</c>: 50).</summary>
    public int Population { get; init; } = 50;

    /// <summary>
    /// Generations evaluated and ranked, the first random (official <c>max_epochs</c>: 20). The official loop also draws and
    /// evaluates a 21st population after the last ranking, which never affects the result; it is not drawn here, so the
    /// budget is <see cref="Population"/> × <see cref="Generations"/>.
    /// </summary>
    public int Generations { get; init; } = 20;

    /// <summary>Top candidates kept as parents (official <c>select_num</c>: 10).</summary>
    public int Parents { get; init; } = 10;

    /// <summary>Mutants per generation (official <c>mutation_num</c>: 25).</summary>
    public int Mutations { get; init; } = 25;

    /// <summary>Crossovers per generation (official <c>crossover_num</c>: 25).</summary>
    public int Crossovers { get; init; } = 25;

    /// <summary>
    /// P_d and P_m: the paper's 0.2 and 0.4 by default. The official <c>evolution.py</c> runs with the opposite
    /// (<c>s_prob</c> = 0.4 for the depth, <c>m_prob</c> = 0.2 per layer choice, its argparse defaults): see <see cref="OfficialCode"/>.
    /// </summary>
    public MutationSettings Mutation { get; init; } = new();

    /// <summary>The settings AutoFormer's official <c>evolution.py</c> runs with: the paper's numbers but P_d = 0.4 and P_m = 0.2.</summary>
    public static EvolutionSettings OfficialCode { get; } = new() { Mutation = new MutationSettings(DepthProbability: 0.4, ChoiceProbability: 0.2) };

    /// <summary>Draws allowed per wanted mutant or crossover (official: <c>max_iters = 10 × mutation_num</c>); short ones are filled by random draws.</summary>
    public int AttemptsPerChild { get; init; } = 10;

    /// <summary>Random draws allowed per wanted random candidate before the search gives up with an error (the official loop never gives up).</summary>
    public int RandomAttemptsPerCandidate { get; init; } = 200;

    /// <summary>Candidates reported as the result, best first (official <c>keep_top_k[50]</c>).</summary>
    public int TopK { get; init; } = 50;

    /// <summary>Candidates of the result that get a test accuracy at the end, when the evaluator has a test set.</summary>
    public int TestTopK { get; init; } = 5;

    /// <summary>
    /// The paper's proportions at another size: <paramref name="population"/> per generation, a fifth of it as parents, half
    /// of it mutants and half crossovers (as 10, 25 and 25 of 50), for <paramref name="generations"/> generations.
    /// </summary>
    /// <exception cref="UserInputException">A count is not positive.</exception>
    public static EvolutionSettings Scaled(int population, int generations)
    {
        if (population < 1 || generations < 1)
            throw new UserInputException($"An evolution needs a positive population and number of generations; got {population} and {generations}.");
        return new EvolutionSettings
        {
            Population = population,
            Generations = generations,
            Parents = Math.Max(1, population / 5),
            Mutations = population / 2,
            Crossovers = population / 2,
            TopK = population,
        };
    }

    /// <summary>Evaluations the search makes at most.</summary>
    public int Budget => Population * Generations;

    /// <summary>Checks every number.</summary>
    /// <exception cref="UserInputException">A count is not positive, the budget is above <see cref="ISearchSettings.MaxEvaluations"/>, or mutants and crossovers exceed the population.</exception>
    public void Validate()
    {
        Positive(Population, "population");
        Positive(Generations, "generations");
        if ((long)Population * Generations > ISearchSettings.MaxEvaluations)
            throw new UserInputException($"A population of {Population:N0} over {Generations:N0} generations is more than the {ISearchSettings.MaxEvaluations:N0} evaluations a search may plan.");
        Positive(Parents, "parents");
        Positive(TopK, "top-k");
        Positive(AttemptsPerChild, "attempts per child");
        Positive(RandomAttemptsPerCandidate, "random attempts per candidate");
        if (Mutations < 0 || Crossovers < 0 || TestTopK < 0) throw new UserInputException($"Mutations ({Mutations}), crossovers ({Crossovers}) and test top-k ({TestTopK}) must not be negative.");
        if (Mutations + Crossovers > Population)
            throw new UserInputException($"Mutations plus crossovers ({Mutations} + {Crossovers}) exceed the population of {Population}.");
        if (!(Mutation.DepthProbability is >= 0 and <= 1) || !(Mutation.ChoiceProbability is >= 0 and <= 1))
            throw new UserInputException($"Mutation probabilities must be in [0, 1]; got P_d = {Mutation.DepthProbability}, P_m = {Mutation.ChoiceProbability}.");
    }

    /// <summary>The settings as JSON.</summary>
    public JsonObject ToJson() => new()
    {
        ["population"] = Population,
        ["generations"] = Generations,
        ["parents"] = Parents,
        ["mutations"] = Mutations,
        ["crossovers"] = Crossovers,
        ["p_depth"] = Mutation.DepthProbability,
        ["p_choice"] = Mutation.ChoiceProbability,
        ["attempts_per_child"] = AttemptsPerChild,
        ["random_attempts_per_candidate"] = RandomAttemptsPerCandidate,
        ["top_k"] = TopK,
        ["test_top_k"] = TestTopK,
    };

    private static void Positive(int v, string name)
    {
        if (v < 1) throw new UserInputException($"The evolution's {name} must be at least 1; got {v}.");
    }
}
