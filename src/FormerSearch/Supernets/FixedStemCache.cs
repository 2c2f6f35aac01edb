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
/// The recalibrations themselves repeat the stem's training-mode passes too (<see cref="GetCalibrating"/>).
/// </summary>
internal sealed class FixedStemCache
{
    /// <summary>Floats of images and outputs kept at most (128 MB): a 2,000-image validation split of 28×28 images needs 11 M.</summary>
    public const long MaxFloats = 32L * 1024 * 1024;

    /// <summary>Floats kept at most for <see cref="GetCalibrating"/> (32 MB): 5 batches of 128 28×28 images need 3.5 M, 10 need 7 M.</summary>
    public const long MaxCalibrationFloats = 8L * 1024 * 1024;

    private readonly Module _stem;
    private readonly IRunningStatistics[] _statistics;
    private readonly Dictionary<int, List<(float[] Images, float[] Output, int[] Shape)>> _entries = [];
    private readonly Dictionary<int, List<CalibrationPass>> _passes = [];
    private float[] _state = [];
    private float[] _current = [];  // the state read now, compared with the snapshot
    private float[] _before = [];   // the state before a calibration pass
    private float[] _passWeights = []; // the weights the calibration passes were made with
    private readonly int _weightFloats;
    private long _floats, _calibrationFloats;

    /// <summary>A cache of <paramref name="stem"/>'s outputs.</summary>
    public FixedStemCache(Module stem)
    {
        _stem = stem;
        _statistics = stem.Modules().OfType<IRunningStatistics>().ToArray();
        _weightFloats = stem.Parameters().Sum(p => p.Value.Numel);
    }

    /// <summary>Eval-mode outputs served from the cache so far (for tests).</summary>
    public int Hits { get; private set; }

    /// <summary>Calibration passes served from the cache so far (for tests).</summary>
    public int CalibrationHits { get; private set; }

    /// <summary>
    /// Whether a training-mode pass is one of a batch-norm recalibration's (<see cref="Training.BatchNormCalibration"/>): every
    /// running statistic of the stem a plain average of the batches since its reset.
    /// </summary>
    public bool Recalibrating => _statistics.Length > 0 && _statistics.All(s => s.CumulativeAverage);

    /// <summary>
    /// The stem's training-mode output for <paramref name="images"/> in a recalibration (no gradient): the output and the
    /// stem's state after the pass (running statistics, batches seen) are a function of the images and of its whole state
    /// before it. A search recalibrates every candidate on the same batches from the same reset, so from the second
    /// candidate on the stem's passes are taken from here — the output, and the state after the pass written back into
    /// the stem — the same floats as computing them.
    /// </summary>
    public Tensor GetCalibrating(Tensor images, Func<Tensor, Tensor> compute)
    {
        var pixels = images.Contiguous().AsSpan();
        ReadState(ref _before);
        // Passes made with other stem weights (a supernet searched, trained on, then searched again) can never match
        // again: dropped, so that they do not keep the room from the new ones.
        if (!_before.AsSpan(0, _weightFloats).SequenceEqual(_passWeights))
        {
            _passes.Clear();
            _calibrationFloats = 0;
            _passWeights = _before.AsSpan(0, _weightFloats).ToArray();
        }
        int key = HashCode.Combine(Key(pixels), Key(_before));
        if (_passes.TryGetValue(key, out var list))
        {
            foreach (var pass in list)
            {
                if (!pixels.SequenceEqual(pass.Images) || !_before.AsSpan().SequenceEqual(pass.StateBefore)) continue;
                WriteState(pass.StateAfter);
                CalibrationHits++;
                var copy = Tensor.Empty(pass.Shape);
                pass.Output.CopyTo(copy.AsSpan());
                return copy;
            }
        }
        var y = compute(images);
        long floats = pixels.Length + y.Numel + 2L * _before.Length;
        if (_calibrationFloats + floats <= MaxCalibrationFloats)
        {
            float[] after = [];
            ReadState(ref after);
            if (list is null) _passes[key] = list = [];
            list.Add(new CalibrationPass(pixels.ToArray(), _before.ToArray(), y.Contiguous().ToArray(), y.Shape.ToArray(), after));
            _calibrationFloats += floats;
        }
        return y;
    }

    private sealed record CalibrationPass(float[] Images, float[] StateBefore, float[] Output, int[] Shape, float[] StateAfter);

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
        ReadState(ref _current);
        if (_current.AsSpan().SequenceEqual(_state)) return true;
        (_state, _current) = (_current, _state);
        return false;
    }

    /// <summary>The stem's whole state, its weights first (<see cref="_weightFloats"/>), then its buffers.</summary>
    private IEnumerable<Tensor> StateTensors() => _stem.Parameters().Select(p => p.Value).Concat(_stem.NamedBuffers().Select(b => b.Buffer));

    /// <summary>The stem's state (<see cref="StateTensors"/>) into <paramref name="into"/> (resized to fit).</summary>
    private void ReadState(ref float[] into)
    {
        int total = StateTensors().Sum(t => t.Numel);
        if (into.Length != total) into = new float[total];
        int at = 0;
        foreach (var t in StateTensors())
        {
            t.Contiguous().AsSpan().CopyTo(into.AsSpan(at));
            at += t.Numel;
        }
    }

    /// <summary>The inverse of <see cref="ReadState"/>: <paramref name="state"/> back into the stem's own tensors.</summary>
    private void WriteState(float[] state)
    {
        int at = 0;
        foreach (var t in StateTensors())
        {
            state.AsSpan(at, t.Numel).CopyTo(t.AsSpan());
            at += t.Numel;
        }
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
