namespace FormerSearch.Supernets;

/// <summary>Training-step throughput of a subnet through its supernet and as the extracted standalone model.</summary>
/// <param name="SupernetImagesPerSecond">Images/s of steps through the supernet with the subnet active (AdamW over every supernet parameter).</param>
/// <param name="StandaloneImagesPerSecond">Images/s of the same steps on the extracted standalone model (AdamW over its parameters).</param>
public sealed record SupernetBenchmarkResult(double SupernetImagesPerSecond, double StandaloneImagesPerSecond)
{
    /// <summary>
    /// Supernet step time over standalone step time (= standalone images/s over supernet images/s): 1.10 means a step
    /// through the supernet costs 10% more than the same step on the standalone model. The goal is ≤ 1.15.
    /// </summary>
    public double Ratio => StandaloneImagesPerSecond / SupernetImagesPerSecond;
}
