using FormerSearch.Engine.Autograd;

namespace FormerSearch.Engine.Memory;

/// <summary>
/// A nestable lifetime for the tensors of one step, as TorchSharp's <c>DisposeScope</c>: tensors
/// created while a scope is open take pooled buffers and are released when it ends, together with
/// the autograd graph recorded inside it. Tensors created with no scope open are ordinary
/// garbage-collected tensors (parameters, data the caller keeps).
/// <code>
/// using (TensorScope.Enter())
/// {
///     var loss = model.Forward(x) ...;
///     loss.Backward();
/// }   // activations, gradients of activations and graph nodes go back to their pools
/// </code>
/// A tensor that must outlive the scope is moved out with <see cref="MoveToOuter"/>.
/// </summary>
public readonly struct TensorScope : IDisposable
{
    [ThreadStatic] private static List<List<Tensor>>? t_frames;
    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static long t_generation;

    private readonly int _depth;

    private TensorScope(int depth) => _depth = depth;

    /// <summary>Opens a scope on this thread.</summary>
    public static TensorScope Enter()
    {
        var frames = t_frames ??= [];
        if (frames.Count == t_depth) frames.Add(new List<Tensor>(256));
        t_depth++;
        Tape.PushMark();
        return new TensorScope(t_depth);
    }

    /// <summary>True when a scope is open on this thread.</summary>
    public static bool IsActive => t_depth > 0;

    /// <summary>How many scopes have ended on this thread: the generation a released tensor is marked with.</summary>
    internal static long Generation => t_generation;

    /// <summary>
    /// Moves <paramref name="tensor"/> to the enclosing scope (or, from the outermost scope, out of
    /// scopes altogether, making it an ordinary tensor) so it survives the end of the current one.
    /// </summary>
    public static Tensor MoveToOuter(Tensor tensor)
    {
        if (t_depth == 0 || t_frames is null) return tensor;
        var frame = t_frames[t_depth - 1];
        // A view is only valid while its base's buffer is, so the base moves with it.
        if (tensor.Base is { } owner) MoveToOuter(owner);
        int i = frame.LastIndexOf(tensor);
        if (i < 0) return tensor;
        frame.RemoveAt(i);
        if (t_depth >= 2) t_frames[t_depth - 2].Add(tensor);
        else tensor.DetachFromPool();
        return tensor;
    }

    internal static void Register(Tensor tensor) => t_frames![t_depth - 1].Add(tensor);

    public void Dispose()
    {
        if (_depth == 0) return;
        if (_depth != t_depth)
            throw new InvalidOperationException("Tensor scopes must be disposed in the reverse order they were entered.");
        Tape.PopMark();
        t_generation++;
        var frame = t_frames![t_depth - 1];
        // Views first release nothing but their object; owners return their buffers.
        for (int i = frame.Count - 1; i >= 0; i--) frame[i].ReleaseToPool();
        frame.Clear();
        t_depth--;
    }
}
