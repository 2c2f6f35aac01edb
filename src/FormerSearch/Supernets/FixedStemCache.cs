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
    private readonly PassTable _maps = new(MaxFloats), _calibrationPasses = new(MaxCalibrationFloats);
    private float[] _state = [];
    private float[] _current = [];  // the state read now, compared with the snapshot
    private float[] _before = [];   // the state before a calibration pass
    private float[] _passWeights = []; // the weights the calibration passes were made with
    private readonly int _weightFloats;

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
            _calibrationPasses.Clear();
            _passWeights = _before.AsSpan(0, _weightFloats).ToArray();
        }
        if (_calibrationPasses.Find(pixels, _before) is { } pass)
        {
            WriteState(pass.StateAfter!);
            CalibrationHits++;
            return pass.CopyOfOutput();
        }
        var y = compute(images);
        _calibrationPasses.Keep(pixels, _before, y, () =>
        {
            float[] after = [];
            ReadState(ref after);
            return after;
        });
        return y;
    }

    /// <summary>The stem's output for <paramref name="images"/>: from the cache when it holds them, else computed by <paramref name="compute"/> and kept.</summary>
    public Tensor Get(Tensor images, Func<Tensor, Tensor> compute)
    {
        var pixels = images.Contiguous().AsSpan();
        // The maps are kept for one state of the stem, so they need not each hold it.
        if (!StateUnchanged()) _maps.Clear();
        if (_maps.Find(pixels, []) is { } map)
        {
            Hits++;
            return map.CopyOfOutput();
        }
        var y = compute(images);
        _maps.Keep(pixels, [], y, stateAfter: null);
        return y;
    }

    /// <summary>One kept pass of the stem: its images, the stem's state it started from, its output and the state after it.</summary>
    private sealed record Pass(float[] Images, float[] StateBefore, float[] Output, int[] Shape, float[]? StateAfter)
    {
        public Tensor CopyOfOutput()
        {
            var copy = Tensor.Empty(Shape);
            Output.CopyTo(copy.AsSpan());
            return copy;
        }
    }

    /// <summary>Kept passes, found by their images and starting state (equal float for float), within a number of floats.</summary>
    private sealed class PassTable(long maxFloats)
    {
        private readonly Dictionary<int, List<Pass>> _byKey = [];
        private long _floats;

        public Pass? Find(ReadOnlySpan<float> images, ReadOnlySpan<float> state)
        {
            if (!_byKey.TryGetValue(KeyOf(images, state), out var list)) return null;
            foreach (var pass in list)
                if (images.SequenceEqual(pass.Images) && state.SequenceEqual(pass.StateBefore)) return pass;
            return null;
        }

        /// <summary>Keeps the pass when there is room for it (<paramref name="stateAfter"/> read only then; a state as long as the one before).</summary>
        public void Keep(ReadOnlySpan<float> images, ReadOnlySpan<float> stateBefore, Tensor output, Func<float[]>? stateAfter)
        {
            long floats = images.Length + output.Numel + (stateAfter is null ? 1 : 2) * (long)stateBefore.Length;
            if (_floats + floats > maxFloats) return;
            int key = KeyOf(images, stateBefore);
            if (!_byKey.TryGetValue(key, out var list)) _byKey[key] = list = [];
            list.Add(new Pass(images.ToArray(), stateBefore.ToArray(), output.Contiguous().ToArray(), output.Shape.ToArray(), stateAfter?.Invoke()));
            _floats += floats;
        }

        public void Clear()
        {
            _byKey.Clear();
            _floats = 0;
        }

        private static int KeyOf(ReadOnlySpan<float> images, ReadOnlySpan<float> state) => HashCode.Combine(Key(images), Key(state));
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
