namespace FormerSearch.Engine.Distributed;

/// <summary>A run of one process: rank 0 of 1, and every collective leaves its values as they are.</summary>
public sealed class SingleProcess : ICommunicator
{
    /// <summary>The one instance.</summary>
    public static SingleProcess Instance { get; } = new();

    private SingleProcess() { }

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void AllreduceSum(Span<float> values) { }

    /// <inheritdoc/>
    public void Broadcast(Span<float> values, int root) { }

    /// <inheritdoc/>
    public void Barrier() { }
}
