namespace FormerSearch.Engine.Autograd;

/// <summary>
/// The dynamic tape of this thread: ops append nodes in execution order, and backward walks it once
/// in reverse. Because execution order is a topological order, no graph search is needed; a node
/// whose output received no gradient is skipped.
/// </summary>
public static class Tape
{
    [ThreadStatic] private static List<Function>? t_nodes;
    [ThreadStatic] private static Stack<int>? t_marks;
    [ThreadStatic] private static int t_noGradDepth;

    /// <summary>False inside a <see cref="NoGrad"/> scope: ops then record nothing.</summary>
    public static bool IsEnabled => t_noGradDepth == 0;

    /// <summary>Nodes currently recorded on this thread (for tests and diagnostics).</summary>
    public static int Count => t_nodes?.Count ?? 0;

    /// <summary>Disables recording until the returned scope is disposed.</summary>
    public static NoGradScope NoGrad()
    {
        t_noGradDepth++;
        return new NoGradScope(true);
    }

    /// <summary>True when an op on this input must be recorded.</summary>
    public static bool Needs(Tensor a) => t_noGradDepth == 0 && a.RequiresGrad;

    /// <summary>True when an op on these inputs must be recorded.</summary>
    public static bool Needs(Tensor a, Tensor? b) =>
        t_noGradDepth == 0 && (a.RequiresGrad || (b is not null && b.RequiresGrad));

    /// <summary>True when an op on these inputs must be recorded.</summary>
    public static bool Needs(Tensor a, Tensor? b, Tensor? c) =>
        t_noGradDepth == 0 && (a.RequiresGrad || (b is not null && b.RequiresGrad) || (c is not null && c.RequiresGrad));

    /// <summary>Appends <paramref name="node"/> as the producer of <paramref name="output"/>.</summary>
    public static void Record(Function node, Tensor output)
    {
        node.Output = output;
        output.GradFn = node;
        output.RequiresGrad = true;
        (t_nodes ??= new List<Function>(1024)).Add(node);
    }

    /// <summary>
    /// The gradient tensor of <paramref name="t"/> to accumulate into, created zeroed on first use,
    /// or null when <paramref name="t"/> needs no gradient. The gradient of a view is the same view
    /// of its base's gradient, so what flows into a slice lands in that slice of the whole.
    /// </summary>
    public static Tensor? GradOf(Tensor t) => t.RequiresGrad ? t.EnsureGrad() : null;

    /// <summary>
    /// As <see cref="GradOf"/>, but when <paramref name="overwrite"/> comes back true the gradient was created now
    /// unfilled, and the caller must write all of it (<c>=</c> instead of <c>+=</c>).
    /// </summary>
    internal static Tensor? GradToWrite(Tensor t, out bool overwrite)
    {
        overwrite = false;
        return t.RequiresGrad ? t.EnsureGradToWrite(out overwrite) : null;
    }

    /// <summary>
    /// Back-propagates from <paramref name="root"/> seeded with <paramref name="seed"/>, then
    /// releases the whole recorded graph of this thread.
    /// </summary>
    internal static void Backward(Tensor root, Tensor seed)
    {
        var nodes = t_nodes;
        // The seed itself becomes the root's gradient when it can (as PyTorch does): nothing below
        // writes into the root's gradient, and it saves zero-filling and adding a full-size tensor.
        if (root.Grad is null && root.Base is null && seed.IsContiguous) root.Grad = seed;
        else Kernels.Elementwise.StridedOps.AddInto(seed, root.EnsureGrad());
        if (nodes is null) return;
        BackwardAll();
    }

    /// <summary>Walks every recorded node in reverse, back-propagating those whose output holds a gradient, then releases them all.</summary>
    internal static void BackwardAll()
    {
        var nodes = t_nodes!;
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            var node = nodes[i];
            var g = node.Output.Grad;
            if (g is not null) node.Backward(g);
        }
        ReleaseFrom(0);
    }

    /// <summary>
    /// Takes the nodes recorded since the innermost <see cref="Memory.TensorScope"/> began off this thread's tape, so
    /// that backward passes run before <see cref="RecordedGraph.Backward"/> neither walk nor release them: a graph
    /// computed once and fed to several passes that each backpropagate (a supernet step's shared stem).
    /// </summary>
    public static RecordedGraph SetAside()
    {
        var nodes = t_nodes ??= new List<Function>(1024);
        int start = t_marks is { Count: > 0 } marks ? Math.Min(marks.Peek(), nodes.Count) : 0;
        var taken = nodes.GetRange(start, nodes.Count - start);
        nodes.RemoveRange(start, taken.Count);
        return new RecordedGraph(taken);
    }

    /// <summary>Puts set-aside nodes back at the end of this thread's tape.</summary>
    internal static void Restore(List<Function> nodes) => (t_nodes ??= new List<Function>(1024)).AddRange(nodes);

    /// <summary>
    /// Drops every node recorded on this thread without back-propagating. Inside a
    /// <see cref="Memory.TensorScope"/> the scope does this when it ends; a graph recorded outside any
    /// scope otherwise lives until the next backward.
    /// </summary>
    public static void Clear() => ReleaseFrom(0);

    internal static void PushMark() => (t_marks ??= new Stack<int>()).Push(Count);

    internal static void PopMark() => ReleaseFrom(Math.Min(t_marks!.Pop(), Count));

    private static void ReleaseFrom(int start)
    {
        var nodes = t_nodes;
        if (nodes is null) return;
        Release(nodes, start);
        nodes.RemoveRange(start, nodes.Count - start);
    }

    /// <summary>Detaches the nodes of <paramref name="nodes"/> from <paramref name="start"/> on from their outputs and returns them to their pools, last first.</summary>
    internal static void Release(List<Function> nodes, int start)
    {
        for (int i = nodes.Count - 1; i >= start; i--)
        {
            var node = nodes[i];
            node.Output.GradFn = null;
            node.Release();
        }
    }

    /// <summary>Re-enables recording when disposed.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        private readonly bool _active;
        internal NoGradScope(bool active) => _active = active;
        public void Dispose()
        {
            if (_active) t_noGradDepth--;
        }
    }
}
