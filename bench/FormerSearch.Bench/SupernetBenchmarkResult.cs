namespace FormerSearch.Bench;

/// <summary>Training-step throughput of a subnet through its supernet and as the extracted standalone model.</summary>
/// <param name="SupernetImagesPerSecond">Images/s of steps through the supernet with the subnet active (AdamW over every supernet parameter), from the median step.</param>
/// <param name="StandaloneImagesPerSecond">Images/s of the same steps on the extracted standalone model (AdamW over its parameters), from the median step.</param>
/// <param name="Ratio">
/// Supernet step time over standalone step time, the median over adjacent pairs of steps: 1.10 means a step through the
/// supernet costs 10% more than the same step on the standalone model. The goal is ≤ 1.15.
/// </param>
public sealed record SupernetBenchmarkResult(double SupernetImagesPerSecond, double StandaloneImagesPerSecond, double Ratio);
