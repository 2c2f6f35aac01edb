namespace FormerSearch.Engine.Memory;

/// <summary>
/// The tensor objects of this thread's ended scopes, kept for reuse so that a warm step allocates none. An object is
/// handed out again only after a later scope than the one that released it has ended on this thread: through the whole
/// next scope (the next training step) a reference kept past its scope still points at a released tensor, whose
/// every use throws, instead of at the next tensor allocated (what a last-in-first-out pool would hand out), whose
/// data it would read without a sound. Objects are reused oldest first, so once a step has run twice the pool holds
/// two steps' objects and allocates nothing. A reference kept longer than that may meet its object in use again:
/// a pooled object cannot tell its old holders from its new ones.
/// </summary>
internal static class TensorObjectPool
{
    [ThreadStatic] private static Queue<Tensor>? t_released;

    /// <summary>The oldest released tensor object whose scope generation has passed, or null when there is none.</summary>
    public static Tensor? TryRent()
    {
        var released = t_released;
        if (released is null || !released.TryPeek(out var oldest) || oldest.ReleasedIn >= TensorScope.Generation) return null;
        return released.Dequeue();
    }

    /// <summary>Keeps a tensor object its scope has just released.</summary>
    public static void Return(Tensor tensor) => (t_released ??= new Queue<Tensor>(256)).Enqueue(tensor);
}
