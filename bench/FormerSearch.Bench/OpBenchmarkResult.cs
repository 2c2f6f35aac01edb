namespace FormerSearch.Bench;

/// <summary>Median time of one forward plus backward pass of an op at the given input shape.</summary>
public sealed record OpBenchmarkResult(string Op, string Shape, double Milliseconds);
