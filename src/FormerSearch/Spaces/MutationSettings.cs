namespace FormerSearch.Spaces;

/// <summary>AutoFormer's mutation probabilities (Alg. 2): the depth with <see cref="DepthProbability"/>, each layer's (or block's) choices with <see cref="ChoiceProbability"/>.</summary>
/// <param name="DepthProbability">P_d: probability of re-drawing a depth (AutoFormer: 0.2).</param>
/// <param name="ChoiceProbability">P_m: probability of re-drawing each other choice (AutoFormer: 0.4).</param>
public sealed record MutationSettings(double DepthProbability = 0.2, double ChoiceProbability = 0.4);
