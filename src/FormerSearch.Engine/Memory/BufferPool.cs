namespace FormerSearch.Engine.Memory;

/// <summary>
/// Float buffers kept for reuse, in power-of-two size classes. Unlike <c>ArrayPool.Shared</c> it
/// keeps every buffer returned to it (a training step holds hundreds of same-sized activations at
/// once and returns them together), so a warm step rents without allocating.
/// </summary>
public static class BufferPool
{
    private const int MinClass = 4;  // 16 floats
    private const int LargerClassesToTry = 2;
    private static readonly Stack<float[]>[] s_classes = CreateClasses();
    private static readonly object s_lock = new();
    private static long s_rented, s_returned;

    /// <summary>Buffers handed out since start-up.</summary>
    public static long Rented => Interlocked.Read(ref s_rented);

    /// <summary>Buffers given back since start-up.</summary>
    public static long Returned => Interlocked.Read(ref s_returned);

    /// <summary>A buffer of at least <paramref name="length"/> floats, with unspecified contents.</summary>
    public static float[] Rent(int length)
    {
        int cls = SizeClass(length);
        Interlocked.Increment(ref s_rented);
        lock (s_lock)
        {
            // On a miss, a kept buffer up to 4× larger serves before a new one is allocated: the subnets of a supernet rent
            // other sizes than its largest does, and the pool would otherwise keep a whole set of buffers for each.
            int last = Math.Min(cls + LargerClassesToTry, s_classes.Length - 1);
            for (int c = cls; c <= last; c++)
            {
                if (s_classes[c].TryPop(out var buffer)) return buffer;
            }
        }
        return GC.AllocateUninitializedArray<float>(1 << cls);
    }

    /// <summary>Gives back a buffer that <see cref="Rent"/> handed out.</summary>
    public static void Return(float[] buffer)
    {
        int cls = SizeClass(buffer.Length);
        if (buffer.Length != 1 << cls)
            throw new ArgumentException("The buffer was not rented from the pool.", nameof(buffer));
        Interlocked.Increment(ref s_returned);
        lock (s_lock) s_classes[cls].Push(buffer);
    }

    /// <summary>Drops every kept buffer (for tests and for releasing memory after a large job).</summary>
    public static void Trim()
    {
        lock (s_lock)
        {
            foreach (var c in s_classes) c.Clear();
        }
    }

    private static int SizeClass(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int cls = length <= 1 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(length - 1));
        return Math.Max(cls, MinClass);
    }

    private static Stack<float[]>[] CreateClasses()
    {
        var classes = new Stack<float[]>[32];
        for (int i = 0; i < classes.Length; i++) classes[i] = new Stack<float[]>();
        return classes;
    }
}
