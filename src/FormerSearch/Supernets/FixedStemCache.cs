using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets;

/// <summary>
/// Eval-mode outputs of a supernet's fixed stem (<see cref="Training.ISharedStem"/>), kept across subnets: a search scores
/// a hundred candidates on the same held-out images, and the stem — no searched choice, and batch-norm statistics that
/// every candidate's recalibration re-estimates to the same values from the same batches — computes the same map for
/// each. An entry is used only for images equal float for float to the ones it was made from, and only while the
/// stem's weights and statistics equal, float for float, those it was made with (any change, e.g. a training step,
/// empties the cache). At most <see cref="MaxFloats"/> floats are kept; images beyond that are computed every time.
/// </summary>
internal sealed class FixedStemCache
{
    /// <summary>Floats of images and outputs kept at most (128 MB): a 2,000-image validation split of 28×28 images needs 11 M.</summary>
    public const long MaxFloats = 32L * 1024 * 1024;

    private readonly Module _stem;
    private readonly Dictionary<int, List<(float[] Images, float[] Output, int[] Shape)>> _entries = [];
    private float[] _state = [];
    private float[] _current = [];  // the state read now, compared with the snapshot
    private long _floats;

    /// <summary>A cache of <paramref name="stem"/>'s outputs.</summary>
    public FixedStemCache(Module stem) => _stem = stem;

    /// <summary>Outputs served from the cache so far (for tests).</summary>
    public int Hits { get; private set; }

    /// <summary>The stem's output for <paramref name="images"/>: from the cache when it holds them, else computed by <paramref name="compute"/> and kept.</summary>
    public Tensor Get(Tensor images, Func<Tensor, Tensor> compute)
    {
        var pixels = images.Contiguous().AsSpan();
        if (!StateUnchanged()) Clear();
        int key = Key(pixels);
        if (_entries.TryGetValue(key, out var list))
        {
            foreach (var (kept, output, shape) in list)
            {
                if (!pixels.SequenceEqual(kept)) continue;
                Hits++;
                var copy = Tensor.Empty(shape);
                output.CopyTo(copy.AsSpan());
                return copy;
            }
        }
        var y = compute(images);
        if (_floats + pixels.Length + y.Numel <= MaxFloats)
        {
            if (list is null) _entries[key] = list = [];
            list.Add((pixels.ToArray(), y.Contiguous().ToArray(), y.Shape.ToArray()));
            _floats += pixels.Length + y.Numel;
        }
        return y;
    }

    private void Clear()
    {
        _entries.Clear();
        _floats = 0;
    }

    /// <summary>Whether the stem's weights and running statistics equal the snapshot; refreshes the snapshot when not.</summary>
    private bool StateUnchanged()
    {
        var tensors = _stem.StateDict().Values;
        int total = tensors.Sum(t => t.Numel);
        if (_current.Length != total) _current = new float[total];
        int at = 0;
        foreach (var t in tensors)
        {
            t.Contiguous().AsSpan().CopyTo(_current.AsSpan(at));
            at += t.Numel;
        }
        if (_current.AsSpan().SequenceEqual(_state)) return true;
        (_state, _current) = (_current, _state);
        return false;
    }

    // A cheap key from the length and a sparse sample of the pixels; equality is checked in full.
    private static int Key(ReadOnlySpan<float> pixels)
    {
        var hash = new HashCode();
        hash.Add(pixels.Length);
        int step = Math.Max(1, pixels.Length / 64);
        for (int i = 0; i < pixels.Length; i += step) hash.Add(pixels[i]);
        return hash.ToHashCode();
    }
}
