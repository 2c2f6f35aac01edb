namespace FormerSearch.Engine.Autograd;

/// <summary>
/// A node of the autograd tape: one op application, holding what its backward needs. Each op is a
/// sealed class whose static <c>Apply</c> computes the forward and records a node, with its
/// <see cref="Backward"/> written right below (forward and backward side by side). Nodes are pooled
/// per op type, so recording a graph allocates nothing once warm.
/// </summary>
public abstract class Function
{
    /// <summary>The tensor this node produced.</summary>
    internal Tensor Output = null!;

    /// <summary>
    /// Adds the gradient of each input that requires one, given the gradient of <see cref="Output"/>.
    /// Use <see cref="Tape.GradOf"/> to get an input's gradient tensor to accumulate into.
    /// </summary>
    protected internal abstract void Backward(Tensor gradOutput);

    /// <summary>Drops references and returns the node to its pool.</summary>
    internal abstract void Release();

    /// <summary>
    /// <paramref name="gradOutput"/> itself when it is dense, else a dense copy: what a backward hands to a kernel that
    /// reads the gradient as one run (an output gradient may be a strided view, e.g. of a later slice).
    /// </summary>
    protected static Tensor Dense(Tensor gradOutput) => gradOutput.IsContiguous ? gradOutput : gradOutput.Clone();
}

/// <summary>Pooling for one op's nodes.</summary>
public abstract class Function<TSelf> : Function where TSelf : Function<TSelf>, new()
{
    private static readonly Stack<TSelf> s_pool = new();

    /// <summary>A node of this op, fresh or reused.</summary>
    protected static TSelf Rent()
    {
        lock (s_pool)
        {
            if (s_pool.TryPop(out var node)) return node;
        }
        return new TSelf();
    }

    /// <summary>Clears the references the node holds (inputs, saved tensors).</summary>
    protected abstract void Clear();

    internal sealed override void Release()
    {
        Clear();
        Output = null!;
        lock (s_pool) s_pool.Push((TSelf)this);
    }
}

/// <summary>
/// Pooling for an op whose backward needs only what its forward saved in one value (inputs, outputs, shapes,
/// flags): the forward records a node with <see cref="Record"/>, the backward reads <see cref="Saved"/>, and
/// releasing the node clears it, so no op writes out the saving or the clearing field by field.
/// </summary>
/// <typeparam name="TSelf">The op.</typeparam>
/// <typeparam name="TSaved">What the forward saves for the backward.</typeparam>
public abstract class Function<TSelf, TSaved> : Function<TSelf>
    where TSelf : Function<TSelf, TSaved>, new()
    where TSaved : struct
{
    /// <summary>What the forward saved for the backward.</summary>
    protected TSaved Saved;

    /// <summary>Records a node of this op producing <paramref name="output"/> and holding <paramref name="saved"/>.</summary>
    protected static void Record(in TSaved saved, Tensor output)
    {
        var node = Rent();
        node.Saved = saved;
        Tape.Record(node, output);
    }

    /// <inheritdoc/>
    protected override void Clear() => Saved = default;
}

/// <summary>
/// As <see cref="Function{TSelf, TSaved}"/>, for an op whose backward also needs a copy of a span the caller may reuse
/// (indices, targets, the joined tensors): the copy goes into <see cref="SavedItems"/>, a list the pooled node keeps,
/// so recording allocates nothing once warm.
/// </summary>
/// <typeparam name="TSelf">The op.</typeparam>
/// <typeparam name="TSaved">What the forward saves for the backward besides the items.</typeparam>
/// <typeparam name="TItem">The items copied.</typeparam>
public abstract class Function<TSelf, TSaved, TItem> : Function<TSelf, TSaved>
    where TSelf : Function<TSelf, TSaved, TItem>, new()
    where TSaved : struct
{
    /// <summary>The items the forward copied, in order.</summary>
    protected List<TItem> SavedItems { get; } = [];

    /// <summary>
    /// Records a node of this op producing <paramref name="output"/> and holding <paramref name="saved"/> and a copy of
    /// <paramref name="items"/>.
    /// </summary>
    protected static void Record(in TSaved saved, ReadOnlySpan<TItem> items, Tensor output)
    {
        var node = Rent();
        node.Saved = saved;
        node.SavedItems.AddRange(items);
        Tape.Record(node, output);
    }

    /// <inheritdoc/>
    protected override void Clear()
    {
        base.Clear();
        SavedItems.Clear();
    }
}
