namespace FormerSearch.Engine.Tracing;

/// <summary>
/// A recorder of the ops this thread runs while it is attached (<see cref="Start"/> to <see cref="Dispose"/>): each public
/// op of <see cref="Functional"/> and each view method of <see cref="Tensor"/> appends one <see cref="TracedOp"/>, in
/// execution order; ops an op runs inside itself are not recorded. An exporter replays the list (ONNX export traces an
/// eval-mode forward), so a model needs no export code of its own. Nothing is recorded, and nothing costs more than
/// one static read, while no trace is attached.
/// </summary>
public sealed class OpTrace : IDisposable
{
    [ThreadStatic] private static OpTrace? t_current;
    [ThreadStatic] private static int t_depth;
    // Traces attached on any thread: the fast path of every op reads this plain static, not the thread-static.
    private static int s_attached;

    private readonly List<TracedOp> _ops = [];
    private bool _attached;

    private OpTrace() { }

    /// <summary>The ops recorded so far, in execution order.</summary>
    public IReadOnlyList<TracedOp> Ops => _ops;

    /// <summary>True when a trace is attached to this thread: a fused op then runs as the ops it fuses, so the trace sees those.</summary>
    public static bool IsAttached => Volatile.Read(ref s_attached) != 0 && t_current is not null;

    /// <summary>Attaches a new trace to this thread.</summary>
    /// <exception cref="InvalidOperationException">A trace is already attached to this thread.</exception>
    public static OpTrace Start()
    {
        if (t_current is not null) throw new InvalidOperationException("An op trace is already attached to this thread.");
        var trace = new OpTrace { _attached = true };
        t_current = trace;
        t_depth = 0;
        Interlocked.Increment(ref s_attached);
        return trace;
    }

    /// <summary>Detaches the trace (its ops stay readable).</summary>
    public void Dispose()
    {
        if (!_attached) return;
        _attached = false;
        if (t_current == this) t_current = null;
        Interlocked.Decrement(ref s_attached);
    }

    /// <summary>
    /// Entered by every traced op around its work: the returned scope records the op when it is the outermost one on an
    /// attached thread, so the ops it runs inside itself are not recorded.
    /// </summary>
    internal static Scope Enter()
    {
        if (Volatile.Read(ref s_attached) == 0 || t_current is not { } trace) return default;
        return new Scope(trace, ++t_depth == 1);
    }

    /// <summary>An op's stay inside the trace: see <see cref="Enter"/>.</summary>
    internal readonly ref struct Scope
    {
        private readonly OpTrace? _trace;

        internal Scope(OpTrace trace, bool outermost)
        {
            _trace = trace;
            IsRecording = outermost;
        }

        /// <summary>True when the op must describe itself with <see cref="Record"/>.</summary>
        public bool IsRecording { get; }

        /// <summary>Appends <paramref name="op"/> and returns its output.</summary>
        public Tensor Record(TracedOp op)
        {
            _trace!._ops.Add(op);
            return op.Output;
        }

        /// <summary>Leaves the op.</summary>
        public void Dispose()
        {
            if (_trace is not null) t_depth--;
        }
    }
}
